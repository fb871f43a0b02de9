/** What a comparison is asked (on top of every study's options), and the events it reports. */
import type { StudyEvent } from "../events.js";
import type { StudyOptions } from "../kit/study-options.js";
import type { Axis } from "./axes.js";

export interface CompareOptions extends StudyOptions {
  /** `--vary` arguments ("width=0.25,1,4"), or parsed axes. */
  vary: readonly string[] | readonly Axis[];
  /** Paired advantage that counts as clearly better for pruning (default 0.01 for bounded metrics, else 2% of the score); false: no pruning. */
  pruneMargin?: number | false;
}

/** Events of a comparison: the study events (Runs carry `variant`, the label) plus the comparison's own. */
export type CompareEvent =
  | StudyEvent
  | { type: "variants"; count: number; labels: string[]; axes: string[] }
  | { type: "rung"; size: number; variants: string[]; predictedSeconds: number | null }
  | { type: "pruned"; variant: string; atSize: number; reason: string };
