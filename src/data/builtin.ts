/** Built-in data sets: `builtin:fashion-mnist` (Debian's dataset-fashion-mnist, official train/test split). */
import { join } from "node:path";
import { InputError } from "../errors.js";
import { closestNames } from "./suggest.js";
import { readFashionMnist, FASHION_MNIST_DIR } from "./sources/idx.js";
import { imageStats } from "./sources/pixels.js";
import type { Built } from "./tabular.js";
import type { LoadOptions } from "./options.js";

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
  const pool = d.split.train;
  const { mean, std } = imageStats(d.x, 1, 28 * 28, pool);
  const counts = new Array<number>(10).fill(0);
  for (const c of d.y) counts[c]!++;
  const tensors = { task: d.task, numClasses: d.numClasses, n: d.n, x: d.x, xShape: d.xShape, xKind: d.xKind, imageMean: mean, imageStd: std, y: d.y };
  return {
    source: opts.source,
    schema: {
      kind: "image",
      task: "classification",
      target: "label",
      groups: [],
      classes: d.classes,
      columns: [
        { name: "image", kind: "image", reason: "28×28 grayscale (IDX)", missing: 0, distinct: d.n, role: "feature" },
        { name: "label", kind: "categorical", reason: "classification: 10 classes", missing: 0, distinct: 10, role: "target" },
      ],
    },
    tensors,
    split: { test: d.split.test, pool },
    groups: {},
    encoders: { kind: "image", channels: 1, height: 28, width: 28, mean, std, target: { column: "label", task: "classification", classes: d.classes } },
    report: {
      file: "builtin:fashion-mnist",
      rowsRead: d.n,
      rowsKept: d.n,
      rowsSkipped: 0,
      skipped: [],
      warnings: opts.testFraction !== undefined || opts.testSource || opts.testColumn ? ["builtin:fashion-mnist uses its official test split (10,000 images); test options are ignored"] : [],
    },
  };
}
