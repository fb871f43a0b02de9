/**
 * strategies --unlabeled <src>: unlabelled rows given apart from the labelled data, for the semi and selfsup levers
 * in place of the pool's own rows. They are read with the labelled data's encoders (data/unlabelled.ts; a target
 * column in them is counted, never read) and cached after the user's rows the way --extra's rows are
 * (combineWithExtra, placeholder labels), so a worker loads one dataset and takes the last `rows` rows as the
 * unlabelled ones. Semi Runs and the selfsup pretraining carry the rows' hash in their inputs (`source`), so their
 * ids differ from the pool-based ones, and every other Run's id is unchanged.
 *
 * Only the given rows are used: the pool's rows outside a Run's subset are not added to them, so the lever answers
 * "what do these unlabelled rows buy?" (without --unlabeled it answers the same for rows like the pool's).
 */
import { dirname } from "node:path";
import { InputError } from "../../errors.js";
import { int } from "../../format.js";
import type { UnlabelledData } from "../../data/unlabelled.js";
import type { Study } from "../kit/study.js";
import type { Lever } from "./levers.js";
import type { LeverResult, UnlabeledReport } from "./result.js";

export interface PreparedUnlabeled {
  data: UnlabelledData;
  /** The cached copy: the user's rows, then the unlabelled ones. */
  combined: { cacheDir: string; fingerprint: string; rows: number };
}

/** The levers that read unlabelled rows. */
export function labelFree(levers: readonly Lever[]): Lever[] {
  return levers.filter((l) => l.kind === "semi" || l.kind === "selfsup");
}

/** Reads the rows and caches the combined copy, before any Run (typed errors). */
export async function prepareUnlabeled<E>(study: Study<E>, source: string, levers: readonly Lever[]): Promise<PreparedUnlabeled> {
  if (!labelFree(levers).length) {
    throw new InputError("UNLABELED_UNUSED", `--unlabeled ${source}: no lever reads unlabelled rows`, { hint: "add --try semi:method=pseudo|fixmatch or --try selfsup, or leave --unlabeled out" });
  }
  const { deps, dataset } = study;
  if (!deps.loadUnlabelled || !deps.combineWithExtra) throw new InputError("UNLABELED_UNSUPPORTED", "this study's data layer cannot read unlabelled rows");
  const data = await deps.loadUnlabelled(dataset, source, { labels: "ignore" });
  const combined = await deps.combineWithExtra(dataset, data, { cacheRoot: dirname(dataset.cacheDir!) });
  return { data, combined };
}

/** The result's account of the given rows. */
export function unlabeledReport(p: PreparedUnlabeled, levers: readonly Lever[]): UnlabeledReport {
  const d = p.data;
  return { source: d.source, fingerprint: d.fingerprint, rows: d.tensors.n, targetValues: d.targetValues, issues: d.issues, skipped: d.skipped, warnings: d.warnings, levers: labelFree(levers).map((l) => l.label) };
}

/** Where a semi or selfsup lever's unlabelled rows came from (LeverResult.unlabeled). */
export function unlabeledFrom(p: PreparedUnlabeled | null, source: string, poolSize: number): NonNullable<LeverResult["unlabeled"]> {
  return p ? { from: "given", source: p.data.source, rows: p.data.tensors.n } : { from: "pool", source, rows: poolSize };
}

/** The decision line: which rows, for which levers, and what was not read. */
export function unlabeledDecision(p: PreparedUnlabeled, levers: readonly Lever[]): string {
  const d = p.data;
  const notRead = d.targetValues ? `; ${int(d.targetValues)} of them have a value in the target column, never read` : "";
  const issues = d.issues.filter((i) => i.kind !== "missing").map((i) => `${int(i.count)} ${i.kind}${i.count === 1 ? "" : "s"} in '${i.column}'`);
  const skipped = d.skipped.reduce((a, s) => a + s.count, 0);
  return `--unlabeled: ${int(d.tensors.n)} rows of ${d.source} are the unlabelled rows of ${labelFree(levers).map((l) => l.label).join(", ")} (the pool's own rows are not added)${notRead}${issues.length ? `; ${issues.join(", ")}` : ""}${skipped ? `; ${int(skipped)} skipped` : ""}`;
}
