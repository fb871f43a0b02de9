/**
 * Where a study command's report goes, checked before the study starts, and written after it answers. The library's
 * studies write nothing; the CLI writes the report (default .enough/reports/<study>). A report that still cannot be
 * written at the end must not cost the answer: the answer is printed first, then the error says where the Runs are.
 */
import { join, resolve } from "node:path";
import { InputError } from "../errors.js";
import type { ReportPaths } from "../report/folder.js";
import { checkWritableFolder } from "../study/kit/outputs.js";
import type { EventStream } from "./events-out.js";
import { EXIT } from "./exit-codes.js";
import { writeJson } from "./format.js";
import { writeOut } from "./output.js";

const REPORTS_ROOT = join(".enough", "reports");

/** Fails at once (before any data is loaded) when --out, or the default reports folder, cannot be written. */
export function checkReportFolder(out: string | undefined): void {
  checkWritableFolder(out ?? REPORTS_ROOT, "--out");
}

/** Writes the report, prints the answer either way, and then reports a failed write as a typed error. */
export async function writeThenPrint<R extends { studyId: string; store: string; reports: ReportPaths | null; runs: { status: string }[] }>(
  result: R,
  out: string | undefined,
  write: (result: R, dir: string) => Promise<ReportPaths>,
  print: (result: R) => void,
): Promise<void> {
  const dir = resolve(out ?? join(REPORTS_ROOT, result.studyId));
  let failure: Error | null = null;
  try {
    await write(result, dir);
  } catch (err) {
    failure = err as Error;
    result.reports = null;
  }
  print(result);
  if (failure) {
    const done = result.runs.filter((r) => r.status === "done").length;
    throw new InputError("REPORT_NOT_WRITTEN", `the answer is above, but its report could not be written to ${dir}: ${failure.message}`, {
      hint: `its ${done} finished Run${done === 1 ? " is" : "s are"} stored in ${result.store} (study ${result.studyId}): run the same command with --out <a writable folder> to write the report without training again`,
      cause: failure,
    });
  }
}

/**
 * Gives the answer: ends the event stream with it (when there is one), prints it unless the stream has stdout (the
 * --json object or the text), and sets the exit code (3: the target is out of reach with good confidence).
 */
export function printAnswer(o: { json?: boolean; events: EventStream | null; exitCode: number }, asJson: () => Record<string, unknown>, asText: () => string): void {
  o.events?.done(asJson(), o.exitCode);
  if (!o.events?.onStdout) {
    if (o.json) writeJson(asJson());
    else writeOut(asText());
  }
  if (o.exitCode !== EXIT.ok) process.exitCode = o.exitCode;
}
