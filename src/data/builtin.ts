/** Built-in data sets: `builtin:fashion-mnist` (Debian's dataset-fashion-mnist, official train/test split). */
import { join } from "node:path";
import { InputError } from "../errors.js";
import { closestNames } from "./suggest.js";
import { readFashionMnist, FASHION_MNIST_DIR } from "./sources/idx.js";
import { imageStats } from "./sources/pixels.js";
import type { Built } from "./tabular.js";
import type { LoadOptions } from "./options.js";
import { classFilterWarning, filterClasses, takeBlocks } from "./classes.js";

export const BUILTINS = ["fashion-mnist"];

export function builtinName(source: string): string | null {
  if (!source.startsWith("builtin:")) return null;
  const name = source.slice("builtin:".length).toLowerCase();
  if (!BUILTINS.includes(name)) {
    const near = closestNames(name, BUILTINS);
    throw new InputError("UNKNOWN_BUILTIN", `unknown built-in data set '${name}'`, {
      hint: `${near.length ? `did you mean builtin:${near[0]}? ` : ""}built-ins: ${BUILTINS.map((b) => "builtin:" + b).join(", ")}`,
      details: { field: "source" },
    });
  }
  return name;
}

/** Files whose digests identify the built-in's data. */
export function builtinFiles(_name: string): string[] {
  const dir = process.env.ENOUGH_FASHION_MNIST_DIR ?? FASHION_MNIST_DIR;
  return ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"].map((f) => join(dir, f));
}

export async function loadBuiltin(_name: string, opts: LoadOptions): Promise<Built> {
  opts.onProgress?.({ phase: "read" });
  const d = await readFashionMnist();
  const warnings: string[] = [];
  let { x, y, n, classes } = d;
  let split = { train: d.split.train, test: d.split.test };
  let filter: ReturnType<typeof filterClasses> | null = null;
  if (opts.classes !== undefined) {
    // Before the pixel statistics: they are fitted on the kept classes' training images only.
    filter = filterClasses(d.y, d.classes, opts.classes);
    const newIndex = new Int32Array(d.n).fill(-1);
    filter.rows.forEach((r, i) => (newIndex[r] = i));
    const keep = (rows: Int32Array) => Int32Array.from(Array.from(rows, (r) => newIndex[r]!).filter((i) => i >= 0));
    split = { train: keep(d.split.train), test: keep(d.split.test) };
    x = takeBlocks(d.x, filter.rows, 28 * 28);
    y = filter.y;
    n = filter.rows.length;
    classes = filter.classes;
    warnings.push(classFilterWarning(opts.classes, filter, d.classes.length));
  }
  const pool = split.train;
  const { mean, std } = imageStats(x, 1, 28 * 28, pool);
  const tensors = { task: d.task, numClasses: classes.length, n, x, xShape: d.xShape, xKind: d.xKind, imageMean: mean, imageStd: std, y };
  return {
    source: opts.source,
    schema: {
      kind: "image",
      task: "classification",
      target: "label",
      groups: [],
      classes,
      columns: [
        { name: "image", kind: "image", reason: "28×28 grayscale (IDX)", missing: 0, distinct: n, role: "feature" },
        { name: "label", kind: "categorical", reason: `classification: ${classes.length} classes`, missing: 0, distinct: classes.length, role: "target" },
      ],
    },
    tensors,
    split: { test: split.test, pool },
    groups: {},
    encoders: { kind: "image", channels: 1, height: 28, width: 28, mean, std, target: { column: "label", task: "classification", classes } },
    report: {
      file: "builtin:fashion-mnist",
      rowsRead: d.n,
      rowsKept: n,
      rowsSkipped: 0,
      skipped: [],
      warnings: [...warnings, ...(opts.testFraction !== undefined || opts.testSource || opts.testColumn ? ["builtin:fashion-mnist uses its official test split; test options are ignored"] : [])],
      ...(filter ? { classFilter: { classes: filter.classes, rowsDropped: filter.dropped } } : {}),
    },
  };
}
