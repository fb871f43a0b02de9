/**
 * `enough label-next`: which unlabelled rows to label next. Trains the model on the labelled rows (or loads a saved
 * one), scores the unlabelled rows with an acquisition strategy and writes the k chosen rows, in pick order, as CSV:
 * rank, row (the data row of the unlabelled file, 1 = first after the header), score, then the row's own columns.
 * Thin: the work is study/label-next.ts.
 */
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { ACQUIRE_STRATEGIES, type AcquireStrategy } from "../../engine/index.js";
import { labelNext, type LabelNextResult } from "../../study/label-next.js";
import { collect } from "../data-options.js";
import { parsePositiveInt, writeJson } from "../format.js";
import { writeErr, writeOut } from "../output.js";
import { checkReportFolder } from "../report-output.js";
import { dirname } from "node:path";

interface CliOptions {
  data: string;
  labelled: string;
  model: string;
  k: string;
  strategy: string;
  seed: string;
  target?: string;
  ignore?: string[];
  cacheRoot?: string;
  out?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command("label-next")
    .description("the next rows to label: an acquisition strategy ranks your unlabelled rows with a model trained on the labelled ones")
    .requiredOption("--data <file>", "the unlabelled rows (CSV/JSONL/Parquet; the target column absent or empty)")
    .requiredOption("--labelled <file>", "the rows labelled so far (same columns, the target filled)")
    .option("--model <spec|dir>", "a model spec (mlp, mlp:dropout=0.2, a spec JSON file) trained on the labelled rows, or a folder written by Model.save()", "mlp")
    .option("--k <count>", "how many rows to choose", "100")
    .option("--strategy <name>", `${ACQUIRE_STRATEGIES.join(", ")}`, "margin")
    .option("--seed <n>", "seed of the training and the acquisition (same seed, same rows)", "0")
    .option("--target <column>", "the label column (default: a column named target/label/class/y)")
    .option("--ignore <columns...>", "columns not to use as features", collect)
    .option("--cache-root <dir>", "where encoded data sets are cached", ".enough/cache")
    .option("--out <file>", "write the chosen rows as CSV here (default: standard output)")
    .option("--json", "print one JSON object instead of CSV")
    .action(async (opts: CliOptions) => {
      if (opts.out) checkReportFolder(dirname(opts.out));
      const r = await labelNext({
        data: opts.data,
        labelled: opts.labelled,
        model: opts.model,
        k: parsePositiveInt(opts.k, "--k"),
        strategy: opts.strategy as AcquireStrategy,
        seed: parsePositiveInt(opts.seed, "--seed", { allowZero: true }),
        ...(opts.target ? { targetColumn: opts.target } : {}),
        load: { ...(opts.ignore?.length ? { ignore: opts.ignore } : {}), ...(opts.cacheRoot ? { cacheRoot: opts.cacheRoot } : {}) },
      });
      if (opts.json) return writeJson({ ...r, rows: r.rows.map(({ rank, row, score }) => ({ rank, row, score })), out: opts.out ?? null });
      const csv = labelNextCsv(r);
      if (opts.out) {
        await writeFile(opts.out, csv);
        writeErr(`${r.k} of ${r.unlabelledRows} unlabelled rows chosen by ${r.strategy} (model ${r.model.source} on ${r.model.labelledRows} labelled rows, seed ${r.seed}): ${opts.out}\n`);
      } else writeOut(csv);
    });
}

const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** rank,row,score,<the unlabelled file's columns>: one line per chosen row, in pick order. */
export function labelNextCsv(r: LabelNextResult): string {
  const cols = r.columns;
  const lines = [["rank", "row", "score", ...cols].map(cell).join(",")];
  for (const x of r.rows) lines.push([x.rank, x.row, Number(x.score.toPrecision(6)), ...cols.map((c) => x.record[c])].map(cell).join(","));
  return lines.join("\n") + "\n";
}
