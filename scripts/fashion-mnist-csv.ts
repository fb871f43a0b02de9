/**
 * Fashion-MNIST rows as a CSV, for the README's tabular runs of --plan, --extra and --extra-keep: each image
 * average-pooled 2x2 to 14x14 (196 pixel columns p0..p195, 0-255) plus its class name as `label`.
 *
 *   npx tsx scripts/fashion-mnist-csv.ts <out.csv> <first> <count> [invert=<share>] [seed=<n>]
 *
 * Rows first..first+count-1 of the official training set. invert=0.5 turns that share of the rows (a seeded random
 * half) into negatives (255 - pixel) with their labels moved to the next class: a shifted, mislabelled copy.
 */
import { writeFileSync } from "node:fs";
import { readIdxPair, FASHION_MNIST_DIR, FASHION_MNIST_CLASSES } from "../src/data/sources/idx.js";
import { rngFor } from "../src/rng.js";

const [out, firstArg, countArg, ...opts] = process.argv.slice(2);
if (!out || firstArg === undefined || countArg === undefined) {
  process.stderr.write("usage: npx tsx scripts/fashion-mnist-csv.ts <out.csv> <first> <count> [invert=<share>] [seed=<n>]\n");
  process.exit(2);
}
const opt = (k: string, d: number) => Number(opts.find((o) => o.startsWith(`${k}=`))?.split("=")[1] ?? d);
const invert = opt("invert", 0);
const rand = rngFor(opt("seed", 0), "fashion-mnist-csv");
const dir = process.env.ENOUGH_FASHION_MNIST_DIR ?? FASHION_MNIST_DIR;
const { images, labels, n, h, w } = await readIdxPair(`${dir}/train-images-idx3-ubyte.gz`, `${dir}/train-labels-idx1-ubyte.gz`);
const first = Number(firstArg);
const count = Math.min(Number(countArg), n - first);
const lines = [[...Array.from({ length: (h / 2) * (w / 2) }, (_, i) => `p${i}`), "label"].join(",")];
for (let r = first; r < first + count; r++) {
  const flip = rand() < invert;
  const px: number[] = [];
  for (let y = 0; y < h; y += 2)
    for (let x = 0; x < w; x += 2) {
      const o = r * h * w;
      const v = Math.round((images[o + y * w + x]! + images[o + y * w + x + 1]! + images[o + (y + 1) * w + x]! + images[o + (y + 1) * w + x + 1]!) / 4);
      px.push(flip ? 255 - v : v);
    }
  const c = flip ? (labels[r]! + 1) % 10 : labels[r]!;
  lines.push(`${px.join(",")},"${FASHION_MNIST_CLASSES[c]}"`);
}
writeFileSync(out, lines.join("\n") + "\n");
process.stdout.write(`${out}: ${count} rows (training rows ${first}-${first + count - 1})${invert ? `, ${invert * 100}% inverted with labels moved` : ""}\n`);
