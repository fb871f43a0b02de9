/**
 * Fitted encoders, saved as JSON in the cache manifest so that prediction-time data is encoded exactly like the
 * training data. Everything here is fitted on the training pool only.
 */
import type { Task } from "../../engine/types.js";

export interface NumericEncoder {
  kind: "numeric";
  column: string;
  mean: number;
  std: number;
  /** Value used for missing entries (before standardisation). */
  fill: number;
  fillStrategy: "median" | "mean";
  /** Adds a 0/1 "was missing" feature after the value (only when the pool had missing values). */
  missingIndicator: boolean;
}

export interface OneHotEncoder {
  kind: "onehot";
  column: string;
  /** Pool categories, most frequent first; unseen values encode as all zeros. */
  categories: string[];
  missingIndicator: boolean;
}

export interface EmbeddingEncoder {
  kind: "embedding";
  column: string;
  /** id 0 = missing, 1 = rare or unseen, 2 + i = categories[i]. */
  categories: string[];
  minCount: number;
}

export type FeatureEncoder = NumericEncoder | OneHotEncoder | EmbeddingEncoder;

export interface TargetEncoder {
  column: string;
  task: Task;
  /** Class names in label-id order (classification). */
  classes?: string[];
}

export interface TextEncoder {
  column: string;
  lowercase: boolean;
  /** id 0 = padding, 1 = unknown, 2 + i = vocab[i]. */
  vocab: string[];
  seqLen: number;
}

export interface TabularEncoders {
  kind: "tabular";
  /** Dense features (numeric, one-hot) in x's column order, then embedding columns in cat's order. */
  features: FeatureEncoder[];
  /** Names of the dense columns, e.g. "age", "age:missing", "colour=red". */
  denseNames: string[];
  catCardinalities: number[];
  target: TargetEncoder;
}

export interface TextEncoders {
  kind: "text";
  text: TextEncoder;
  target: TargetEncoder;
}

export interface ImageEncoders {
  kind: "image";
  channels: number;
  height: number;
  width: number;
  mean: number[];
  std: number[];
  target: TargetEncoder;
}

export type EncoderState = TabularEncoders | TextEncoders | ImageEncoders;
