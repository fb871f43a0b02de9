/**
 * CUDA benchmark and check, for a machine with a GPU and the addon built against a CUDA libtorch (README: "GPU").
 * The same trainings on cpu and cuda (every family, dropout, tokens, regression with a categorical column): test
 * metric, training and inference samples/s, save/load round trip, same seed twice gives the same loss; then the
 * same MLPs and CNN in PyTorch on the GPU, in the same run, for the ratio. Data are generated (seeded), so the
 * check needs no data set on the GPU machine. Skips (exit 0) when the addon has no CUDA.
 *
 * Env: ENOUGH_BENCH_SCALE (default 1: 60,000-row tabular, 16,384-image sets). Writes bench/out/cuda.json.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { engineInfo, Model, train, type ModelSpec, type Tensors } from "../src/engine/index.js";
import { rngFor } from "../src/rng.js";

const here = dirname(fileURLToPath(import.meta.url));
const info = engineInfo();
if (!info.cuda) {
  console.log("cuda bench: skipped (the addon was built without CUDA, or no GPU is visible)");
  process.exit(0);
}
const S = Number(process.env.ENOUGH_BENCH_SCALE ?? 1);
const sz = (n: number): number => Math.max(200, Math.round(n * S));
const range = (a: number, b: number): Int32Array => Int32Array.from({ length: b - a }, (_, i) => a + i);

function gaussian(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
}
function dense(n: number, d: number, k: number, seed: number): Tensors {
  const u = rngFor(seed, "dense");
  const g = gaussian(u);
  const centres = Array.from({ length: k }, () => Float32Array.from({ length: d }, () => g() * 0.06));
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(u() * k);
    y[i] = c;
    for (let j = 0; j < d; j++) x[i * d + j] = centres[c]![j]! + g();
  }
  return { task: "classification", numClasses: k, n, x, xShape: [d], xKind: "dense", y };
}
function images(n: number, k: number, seed: number): Tensors {
  const u = rngFor(seed, "images");
  const g = gaussian(u);
  const templates = Array.from({ length: k }, () => Float32Array.from({ length: 784 }, () => u() * 255));
  const x = new Uint8Array(n * 784);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(u() * k);
    y[i] = c;
    for (let j = 0; j < 784; j++) x[i * 784 + j] = Math.max(0, Math.min(255, 0.5 * templates[c]![j]! + 90 * g() + 64));
  }
  return { task: "classification", numClasses: k, n, x, xShape: [1, 28, 28], xKind: "image", imageMean: [0.5], imageStd: [0.3], y };
}
function tokens(n: number, k: number, seed: number): Tensors {
  const u = rngFor(seed, "tokens");
  const L = 64;
  const V = 500;
  const x = new Int32Array(n * L);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(u() * k);
    y[i] = c;
    for (let j = 0; j < L; j++) x[i * L + j] = u() < 0.2 ? 1 + c * 7 + Math.floor(u() * 7) : 1 + Math.floor(u() * (V - 1));
  }
  return { task: "classification", numClasses: k, n, x, xShape: [L], xKind: "tokens", vocabSize: V, y };
}
function regression(n: number, d: number, seed: number): Tensors {
  const u = rngFor(seed, "regression");
  const g = gaussian(u);
  const w = Float32Array.from({ length: d }, () => g());
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  const cat = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = g();
      x[i * d + j] = v;
      s += w[j]! * v;
    }
    cat[i] = Math.floor(u() * 20);
    y[i] = 100 + 10 * Math.tanh(s / 4) + cat[i]! * 0.5 + g();
  }
  return { task: "regression", numClasses: 0, n, x, xShape: [d], xKind: "dense", cat, catCardinalities: [20], y };
}

const tab = dense(sz(70000), 784, 10, 1);
const img = images(sz(26384), 10, 2);
const cases: { name: string; spec: ModelSpec; data: Tensors; n: number; batch: number }[] = [
  { name: "mlp", spec: { family: "mlp", hidden: [256, 128] }, data: tab, n: sz(60000), batch: 128 },
  { name: "mlp-b1024", spec: { family: "mlp", hidden: [1024, 1024] }, data: tab, n: sz(60000), batch: 1024 },
  { name: "cnn", spec: { family: "cnn", channels: [32, 64], fc: 128, batchNorm: false }, data: img, n: sz(16384), batch: 128 },
  { name: "mlp-dropout", spec: { family: "mlp", hidden: [512, 256], dropout: 0.3 }, data: tab, n: sz(60000), batch: 256 },
  { name: "text", spec: { family: "text" }, data: tokens(sz(30000), 5, 4), n: sz(20000), batch: 128 },
  { name: "regression-cat", spec: { family: "mlp", hidden: [128, 64] }, data: regression(sz(50000), 32, 5), n: sz(40000), batch: 256 },
  { name: "resnet", spec: { family: "resnet" }, data: img, n: sz(16384), batch: 256 },
];

interface Row { case: string; device: string; trainSamplesPerSec: number; inferSamplesPerSec?: number; testMetric?: number; reloadMaxDiff?: number; sameSeedSameLoss?: boolean; error?: string }
const rows: Row[] = [];
for (const c of cases) {
  for (const device of ["cpu", "cuda"] as const) {
    const valid = range(c.n, c.n + sz(2000));
    const test = range(c.n + sz(2000), c.data.n);
    const recipe = { optimizer: "adam" as const, lr: 1e-3, batchSize: c.batch, epochs: 2, seed: 3, earlyStopping: false as const, device };
    try {
      const { model, result } = await train(c.spec, c.data, { train: range(0, c.n), valid }, recipe);
      const ev = await model.evaluate(c.data, test);
      const t0 = performance.now();
      const p = await model.predict(c.data, test);
      const inferS = (performance.now() - t0) / 1000;
      const file = join(tmpdir(), `enough-cuda-bench-${process.pid}-${c.name}-${device}`);
      await model.save(file);
      const loaded = await Model.load(file);
      const p2 = await loaded.predict(c.data, test);
      let reloadMaxDiff = 0;
      for (let i = 0; i < p.length; i++) reloadMaxDiff = Math.max(reloadMaxDiff, Math.abs(p[i]! - p2[i]!));
      const again = await train(c.spec, c.data, { train: range(0, c.n), valid }, recipe);
      rows.push({
        case: c.name,
        device,
        trainSamplesPerSec: Math.round(result.history.at(-1)!.samplesPerSecond),
        inferSamplesPerSec: Math.round(test.length / inferS),
        testMetric: ev.accuracy ?? ev.r2,
        reloadMaxDiff,
        sameSeedSameLoss: again.result.history.at(-1)!.trainLoss === result.history.at(-1)!.trainLoss,
      });
      model.dispose();
      loaded.dispose();
      again.model.dispose();
    } catch (e) {
      rows.push({ case: c.name, device, trainSamplesPerSec: NaN, error: `${(e as Error).name}: ${(e as Error).message}` });
    }
  }
}
const ref = spawnSync("python3", [join(here, "reference", "torch_cuda.py")], { encoding: "utf8" });
const torchRows = ref.status === 0 ? ref.stdout.trim().split("\n").map((l) => JSON.parse(l) as { case: string; trainSamplesPerSec: number; torch: string }) : [];
const torchNote = ref.status === 0 ? `PyTorch ${torchRows[0]?.torch ?? "?"} on the same GPU` : `PyTorch CUDA reference skipped: ${(ref.stderr || ref.error?.message || "").trim().split("\n").at(-1)}`;

const fmt = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? "-" : Math.round(v).toLocaleString("en-US"));
console.log(`engine: libtorch ${info.torchVersion}, CUDA; ${torchNote}`);
console.log("| case | train samples/s cpu / cuda | cuda / PyTorch cuda | test metric cpu / cuda | same seed same loss (cuda) | reload max diff (cuda) |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const c of cases) {
  const cpu = rows.find((r) => r.case === c.name && r.device === "cpu")!;
  const gpu = rows.find((r) => r.case === c.name && r.device === "cuda")!;
  const t = torchRows.find((r) => r.case === c.name);
  if (gpu.error || cpu.error) {
    console.log(`| ${c.name} | error: ${gpu.error ?? cpu.error} | | | | |`);
    continue;
  }
  const ratio = t ? `${fmt(gpu.trainSamplesPerSec)} / ${fmt(t.trainSamplesPerSec)} = **${(gpu.trainSamplesPerSec / t.trainSamplesPerSec).toFixed(2)}x**` : "-";
  console.log(`| ${c.name} | ${fmt(cpu.trainSamplesPerSec)} / ${fmt(gpu.trainSamplesPerSec)} | ${ratio} | ${cpu.testMetric!.toFixed(3)} / ${gpu.testMetric!.toFixed(3)} | ${gpu.sameSeedSameLoss} | ${gpu.reloadMaxDiff!.toExponential(1)} |`);
}
mkdirSync(join(here, "out"), { recursive: true });
writeFileSync(join(here, "out", "cuda.json"), JSON.stringify({ info: { torch: info.torchVersion, threads: info.threads }, rows, torch: torchRows, torchNote }, null, 2));
const failed = rows.filter((r) => r.error || r.sameSeedSameLoss === false && r.device === "cuda");
if (failed.length) {
  console.error(`cuda bench: ${failed.length} case(s) failed or were not reproducible: ${failed.map((r) => `${r.case}/${r.device}`).join(", ")}`);
  process.exit(1);
}
