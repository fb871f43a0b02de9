/**
 * Builds the truth corpus: real learning curves measured with the engine itself, kept as small CSVs
 * (bench/corpus/<name>.csv: dataset,model,size,seed,score) so that `npm run bench -- truth` runs in minutes.
 *
 * Each job is one `enough estimate` with a fixed size list and 3 seeds through the CLI (the same path users take);
 * Runs go to bench/corpus/.work/store.db, so an interrupted build resumes and a rerun re-uses every finished Run.
 * The tabular and text sets are generated here from a fixed seed (no download is needed; see makeTabular/makeText).
 *
 *   nice -n 10 npx tsx bench/corpus/make-corpus.ts            # every job, cheap ones first
 *   CORPUS_ONLY=fmnist-mlp,tab-teacher npx tsx bench/corpus/make-corpus.ts
 *   CORPUS_MAX=8000 ...                                         # cap sizes (a partial curve, extended later)
 *   CORPUS_SEEDS=1 ...                                          # one seed per size (a large model on a busy machine)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { mulberry32 } from "../../src/rng.js";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const work = join(here, ".work");
mkdirSync(work, { recursive: true });

interface Job {
  name: string;
  data: string;
  model: string;
  sizes: number[];
  extra?: string[];
}

/** Geometric sizes from `lo` doubling up to (and ending exactly at) `hi`. */
function geometric(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let n = lo; n < hi * 0.75; n *= 2) out.push(n);
  out.push(hi);
  return out;
}

/** Standard normal draws from a seeded uniform (Box-Muller). */
function gauss(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(Math.max(u(), 1e-300))) * Math.cos(2 * Math.PI * u());
}

/**
 * A tabular classification set whose labels come from a random two-layer tanh "teacher" network plus logit noise:
 * an MLP learns it slowly and never perfectly (the noise sets a Bayes error), like real tabular data with
 * interactions. 16 numeric features, 3 classes, 50,000 rows (40,000 in the pool after the 20% test split).
 */
function makeTabular(file: string, rows: number, seed: number): void {
  const u = mulberry32(seed);
  const z = gauss(u);
  const d = 16;
  const h = 24;
  const k = 3;
  const W1 = Array.from({ length: h }, () => Array.from({ length: d }, () => z() / Math.sqrt(d) * 2));
  const W2 = Array.from({ length: k }, () => Array.from({ length: h }, () => z() / Math.sqrt(h) * 3));
  const lines = [[...Array.from({ length: d }, (_, j) => `x${j}`), "label"].join(",")];
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: d }, () => z());
    const hid = W1.map((w) => Math.tanh(w.reduce((s, v, j) => s + v * x[j]!, 0)));
    const logit = W2.map((w) => w.reduce((s, v, j) => s + v * hid[j]!, 0) + 0.6 * z());
    const y = logit.indexOf(Math.max(...logit));
    lines.push([...x.map((v) => v.toFixed(4)), `c${y}`].join(","));
  }
  writeFileSync(file, lines.join("\n") + "\n");
}

/**
 * A text classification set: 4 topics over a 3,000-word Zipf vocabulary; each document mixes background words with
 * a minority of topic words (each topic favours its own random subset of the vocabulary), so short documents are
 * ambiguous and rare topic words are learnt only from many documents. 40,000 documents.
 */
function makeText(file: string, rows: number, seed: number): void {
  const u = mulberry32(seed);
  const V = 3000;
  const K = 4;
  const zipf = Array.from({ length: V }, (_, i) => 1 / (i + 1) ** 1.05);
  const cum = (w: number[]): number[] => {
    const c: number[] = [];
    let s = 0;
    for (const v of w) c.push((s += v));
    return c.map((v) => v / s);
  };
  const pick = (c: number[]): number => {
    const r = u();
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (c[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const background = cum(zipf);
  const topics = Array.from({ length: K }, () => {
    // A topic favours a random fifth of the vocabulary, in a random Zipf order.
    const ids = Array.from({ length: V }, (_, i) => i).filter(() => u() < 0.2);
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(u() * (i + 1));
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    return { ids, c: cum(ids.map((_, r) => 1 / (r + 1) ** 0.9)) };
  });
  const lines = ["text,label"];
  for (let i = 0; i < rows; i++) {
    const y = Math.floor(u() * K);
    const len = 8 + Math.floor(u() * 30);
    const words: string[] = [];
    for (let t = 0; t < len; t++) {
      const w = u() < 0.12 ? topics[y]!.ids[pick(topics[y]!.c)]! : pick(background);
      words.push(`w${w}`);
    }
    lines.push(`${words.join(" ")},t${y}`);
  }
  writeFileSync(file, lines.join("\n") + "\n");
}

const tabFile = join(work, "tab-teacher.csv");
const textFile = join(work, "text-topics.csv");
if (!existsSync(tabFile)) makeTabular(tabFile, 50_000, 17);
if (!existsSync(textFile)) makeText(textFile, 40_000, 23);

const FM = "builtin:fashion-mnist";
// Cheap ones first.
const JOBS: Job[] = [
  { name: "fmnist-mlp", data: FM, model: "mlp", sizes: geometric(250, 60_000) },
  { name: "tab-teacher-mlp", data: tabFile, model: "mlp", sizes: geometric(125, 40_000), extra: ["--target-column", "label"] },
  { name: "text-topics-bag", data: textFile, model: "text", sizes: geometric(125, 32_000), extra: ["--target-column", "label", "--text-column", "text"] },
  { name: "fmnist-mlp-narrow", data: FM, model: "mlp:width=0.125", sizes: geometric(250, 60_000) },
  { name: "fmnist-cnn", data: FM, model: "cnn", sizes: geometric(250, 32_000) },
  { name: "fmnist-resnet-narrow", data: FM, model: "resnet:width=0.5", sizes: geometric(250, 32_000) },
  { name: "fmnist-resnet", data: FM, model: "resnet", sizes: geometric(250, 16_000) },
];

const only = process.env.CORPUS_ONLY?.split(",").filter(Boolean);
const cap = Number(process.env.CORPUS_MAX ?? Infinity);
// Seeds per size (3 by default; fewer where the machine cannot afford a large model's curve).
const seeds = process.env.CORPUS_SEEDS ?? "3";
for (const job of JOBS) {
  if (only && !only.includes(job.name)) continue;
  const sizes = job.sizes.filter((n) => n <= cap);
  const t0 = Date.now();
  console.error(`corpus: ${job.name} (${job.model} on ${job.data}), sizes ${sizes.join(",")}, ${seeds} seeds`);
  const args = [
    join(repo, "bin", "enough"), "estimate", "--data", job.data, "--model", job.model, "--sizes", sizes.join(","), "--seeds", seeds,
    "--store", join(work, "store.db"), "--out", join(work, "reports", job.name), "--json", "--jobs", "2", "--threads", "1", ...(job.extra ?? []),
  ];
  const r = spawnSync("nice", ["-n", "10", ...args], { cwd: repo, encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "inherit"] });
  if (r.status !== 0) {
    console.error(`corpus: ${job.name} failed (exit ${r.status})`);
    process.exitCode = 1;
    continue;
  }
  // The --json summary on stdout is enough's short answer; every Run is in the report folder's report.json.
  const report = JSON.parse(readFileSync(join(work, "reports", job.name, "report.json"), "utf8")) as { runs: { size: number; seed: number; status: string; metrics: { test: { accuracy?: number } } | null }[] };
  const rows = report.runs
    .filter((x) => x.status === "done" && x.metrics?.test.accuracy !== undefined)
    .map((x) => `${job.data.startsWith("builtin:") ? "fashion-mnist" : job.name.split("-").slice(0, 2).join("-")},${job.model.replace(/,/g, ";")},${x.size},${x.seed},${x.metrics!.test.accuracy!.toFixed(5)}`);
  writeFileSync(join(here, `${job.name}.csv`), ["dataset,model,size,seed,score", ...rows].join("\n") + "\n");
  console.error(`corpus: ${job.name}: ${rows.length} Runs in ${((Date.now() - t0) / 1000).toFixed(0)} s -> bench/corpus/${job.name}.csv`);
}
