/**
 * The engine's data contract: what crosses into C++ (once per call, as typed arrays, no per-element copies).
 * The data layer produces `Tensors`; studies pass row-index arrays to train on subsets without copying.
 */
export type Task = "classification" | "regression";

export interface Tensors {
  task: Task;
  /** Number of classes (classification); 0 for regression. Labels are 0..numClasses-1. */
  numClasses: number;
  /** Number of rows. */
  n: number;
  /**
   * Features, row-major, n * prod(xShape) elements.
   * - "dense": Float32Array, xShape [d] (tabular, already standardised / one-hot encoded)
   * - "image": Uint8Array (or Float32Array already normalised), xShape [c, h, w]; uint8 is scaled in C++ to
   *   (x / 255 - imageMean[c]) / imageStd[c]
   * - "tokens": Int32Array token ids, xShape [seqLen], 0 = padding, ids < vocabSize
   */
  x: Float32Array | Uint8Array | Int32Array;
  xShape: number[];
  xKind: "dense" | "image" | "tokens";
  imageMean?: number[];
  imageStd?: number[];
  vocabSize?: number;
  /** Optional high-cardinality categorical columns as ids (n * catCardinalities.length), fed to embeddings. */
  cat?: Int32Array;
  catCardinalities?: number[];
  /** Int32Array class ids (classification) or Float32Array targets (regression). */
  y: Int32Array | Float32Array;
}
