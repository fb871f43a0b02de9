/**
 * The process a dashboard's "resume" starts: reads {kind, options} on stdin and runs that study through the library
 * with the options it was first given (its cwd is the folder they were relative to). Finished Runs are re-used from
 * the store, the result is stored by the study kit; the report files are `enough studies report`'s to write.
 * Exits 0 when the study finished, 130 when it was cancelled, 1 otherwise (the error is on stderr, in the log).
 */
import { CancelledError } from "../errors.js";

async function main(): Promise<void> {
  let input = "";
  for await (const chunk of process.stdin) input += chunk;
  const { kind, options } = JSON.parse(input) as { kind: string; options: Record<string, unknown> };
  if (kind === "estimate") await (await import("../study/estimate.js")).estimate(options as never);
  else if (kind === "compare") await (await import("../study/compare/compare.js")).compare(options as never);
  else if (kind === "strategies") await (await import("../study/strategies/strategies.js")).strategies(options as never);
  else throw new Error(`cannot resume a ${kind} study`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(err instanceof CancelledError ? 130 : 1);
  },
);
