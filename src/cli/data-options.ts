/**
 * The data options every command that reads a data set shares (how to read, encode and split it), registered
 * once here so that `inspect`, `train`, `estimate`, `compare` and `audit` read data the same way.
 */
import type { Command } from "commander";
import { InputError } from "../errors.js";
import type { LoadOptions } from "../data/index.js";
import type { ColumnKind } from "../data/types.js";

export interface DataCliOptions {
  data: string;
  target?: string;
  /** Another name for the label column (--target in inspect/train/audit, --target-column in estimate/compare). */
  label?: string;
  group?: string[];
  groupSplit?: boolean;
  kind?: string[];
  ignore?: string[];
  textColumn?: string;
  testSource?: string;
  testColumn?: string;
  testFraction?: string;
  /** The split seed: --seed in inspect and audit, --split-seed where --seed seeds the training. */
  seed?: string;
  splitSeed?: string;
  imageSize?: string;
  grayscale?: boolean;
  rgb?: boolean;
  cacheRoot?: string;
  refresh?: boolean;
  keepPiiFeatures?: boolean;
  allowBadRows?: boolean;
  classes?: string;
}

const KINDS: ColumnKind[] = ["numeric", "categorical", "text", "id", "constant"];

export const collect = (v: string, prev: string[] = []) => prev.concat(v.split(",").map((s) => s.trim()).filter(Boolean));

/**
 * Registers --data and the reading/splitting options. `target: false` leaves --target to the command (estimate and
 * compare use it for the score goal); `seed: false` leaves --seed to the command (train uses it for the subset and
 * the initialisation) and offers --split-seed instead.
 */
export function addDataOptions(cmd: Command, opts: { target?: boolean; seed?: boolean } = {}): Command {
  cmd.requiredOption("--data <source>", "CSV/TSV/JSONL/Parquet file, image folder (one sub-folder per class) or builtin:fashion-mnist");
  if (opts.target !== false) cmd.option("--target <column>", "the column to predict (default: a column named target/label/class/y)");
  cmd.option("--label <column>", opts.target !== false ? "same as --target" : "same as --target-column");
  cmd
    .option("--group <columns...>", "subgroup columns kept for analysis (not fed to the model)", collect)
    .option("--group-split", "keep each group's rows on one side of the test split (first --group column)")
    .option("--kind <column=kind>", `override a column's kind (${KINDS.join(", ")}); repeatable`, collect)
    .option("--ignore <columns...>", "columns not to use as features", collect)
    .option("--keep-pii-features", "use columns holding personal data (e-mails, phones, cards, IBANs, names) as features; by default they are left out")
    .option("--text-column <column>", "treat the data as text: this column is tokenised")
    .option("--allow-bad-rows", "go on when more than 1% of the file's lines cannot be read (they are still counted and named)")
    .option("--test-source <file>", "a separate test file with the same columns")
    .option("--test-column <column>", "a column marking test rows (test/true/1/yes)")
    .option("--test-fraction <f>", "fraction of rows held out for testing", "0.2")
    .option("--classes <ids|names>", "keep only these classes, e.g. 5-9 (ids; label values for integer labels) or cat,dog (names); labels are re-indexed");
  if (opts.seed !== false) cmd.option("--seed <n>", "split seed", "0");
  else cmd.option("--split-seed <n>", "seed of the test split", "0");
  return cmd
    .option("--image-size <n|HxW>", "resize images to this size (default: the most common size, capped at 64)")
    .option("--grayscale", "decode images as grayscale")
    .option("--rgb", "decode images as RGB")
    .option("--cache-root <dir>", "where encoded data sets are cached", ".enough/cache")
    .option("--refresh", "re-encode even if a cached copy exists");
}

export function toLoadOptions(opts: DataCliOptions): LoadOptions {
  const kinds: Record<string, ColumnKind> = {};
  for (const k of opts.kind ?? []) {
    const m = /^(.+)=(\w+)$/.exec(k);
    if (!m || !KINDS.includes(m[2] as ColumnKind)) {
      throw new InputError("BAD_OPTION", `--kind ${k}: expected column=kind with kind one of ${KINDS.join(", ")}`, { hint: "e.g. --kind zip=categorical" });
    }
    kinds[m[1]!] = m[2] as ColumnKind;
  }
  const testFraction = Number(opts.testFraction ?? "0.2");
  if (!(testFraction > 0 && testFraction < 1)) throw new InputError("BAD_OPTION", `--test-fraction must be between 0 and 1, got "${opts.testFraction}"`);
  const seedArg = opts.splitSeed ?? opts.seed ?? "0";
  const seed = Number(seedArg);
  if (!Number.isInteger(seed)) throw new InputError("BAD_OPTION", `${opts.splitSeed !== undefined ? "--split-seed" : "--seed"} must be an integer, got "${seedArg}"`);
  let imageSize: LoadOptions["imageSize"];
  if (opts.imageSize) {
    const m = /^(\d+)(?:x(\d+))?$/i.exec(opts.imageSize);
    if (!m) throw new InputError("BAD_OPTION", `--image-size must be N or HxW, got "${opts.imageSize}"`);
    imageSize = m[2] ? [Number(m[1]), Number(m[2])] : Number(m[1]);
  }
  if (opts.grayscale && opts.rgb) throw new InputError("BAD_OPTION", "--grayscale and --rgb exclude each other");
  const target = labelColumn(opts.target, opts.label, "--target");
  return {
    source: opts.data,
    ...(target ? { target } : {}),
    ...(opts.group?.length ? { groups: opts.group } : {}),
    ...(opts.groupSplit ? { groupSplit: true } : {}),
    ...(Object.keys(kinds).length ? { kinds } : {}),
    ...(opts.ignore?.length ? { ignore: opts.ignore } : {}),
    ...(opts.textColumn ? { textColumn: opts.textColumn } : {}),
    ...(opts.testSource ? { testSource: opts.testSource } : {}),
    ...(opts.testColumn ? { testColumn: opts.testColumn } : {}),
    ...(testFraction !== 0.2 ? { testFraction } : {}),
    ...(seed ? { seed } : {}),
    ...(imageSize !== undefined ? { imageSize } : {}),
    ...(opts.grayscale ? { grayscale: true } : opts.rgb ? { grayscale: false } : {}),
    ...(opts.cacheRoot ? { cacheRoot: opts.cacheRoot } : {}),
    ...(opts.refresh ? { refresh: true } : {}),
    ...(opts.keepPiiFeatures ? { keepPiiFeatures: true } : {}),
    ...(opts.allowBadRows ? { allowBadRows: true } : {}),
    ...(opts.classes !== undefined ? { classes: opts.classes } : {}),
  };
}

/** The label column from its two spellings (`--label` is the name many users reach for first); they must agree. */
export function labelColumn(column: string | undefined, label: string | undefined, flag: string): string | undefined {
  if (column !== undefined && label !== undefined && column !== label) {
    throw new InputError("BAD_OPTION", `${flag} ${column} and --label ${label} name different label columns`, { hint: `give one of ${flag} and --label` });
  }
  return column ?? label;
}
