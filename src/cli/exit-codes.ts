/**
 * The CLI's exit codes, in one place so that every command and the README's table agree:
 * 0 the answer was given; 1 a failure that is not the user's doing (training failed, the engine or a builtin data
 * set is missing, a bug); 2 a user error (a mistyped flag or command, bad input, a bad option value, an unusable
 * --store or --out); 3 the answer was given and says the target is out of reach with good confidence (so that a CI
 * pipeline can gate on it); 130 interrupted (Ctrl-C: finished Runs are kept).
 */
import { CommanderError } from "commander";
import { CancelledError, EnvironmentError, TrainingError, isEnoughError } from "../errors.js";
import type { CompareReport } from "../study/compare/result.js";
import type { EstimateReport } from "../study/estimate-result.js";

export const EXIT = { ok: 0, failure: 1, userError: 2, outOfReach: 3, interrupted: 130 } as const;

/** The exit code of an error that ended a command. */
export function exitCodeOf(err: unknown): number {
  // Commander ends help and --version with 0; everything else it raises (an unknown or mistyped flag or command, a
  // missing argument or option value) is the user's mistake.
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.userError;
  if (err instanceof CancelledError) return EXIT.interrupted;
  // Typed, without a stack trace, but not fixable by changing the command line: the run itself failed.
  if (err instanceof TrainingError || err instanceof EnvironmentError) return EXIT.failure;
  if (isEnoughError(err)) return EXIT.userError;
  return EXIT.failure;
}

/** A curve's reading of the target: unreachable, from a fit that is not of low confidence. */
function confidentlyOutOfReach(r: { samplesForTarget: { reachable: boolean | "uncertain" } | null; confidence: string }): boolean {
  return r.samplesForTarget?.reachable === false && (r.confidence === "high" || r.confidence === "medium");
}

/**
 * estimate: 3 when the fitted curve says the target is out of reach (fewer than 10% of the fit's bootstrap draws
 * reach it at any size: the 80% interval of the samples needed has no upper end and the target lies beyond the
 * asymptote) and the fit is not of low confidence. "Uncertain" and low-confidence readings answer 0: the study could
 * not tell.
 */
export function estimateExitCode(r: EstimateReport): number {
  return confidentlyOutOfReach(r) ? EXIT.outOfReach : EXIT.ok;
}

/** compare: 3 when a target was given and every variant, pruned or kept, is out of reach with good confidence. */
export function compareExitCode(r: CompareReport): number {
  return r.question.target && r.variants.length > 0 && r.variants.every(confidentlyOutOfReach) ? EXIT.outOfReach : EXIT.ok;
}
