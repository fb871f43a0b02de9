/**
 * Engine benchmark: training and inference samples/s of enough vs PyTorch on Fashion-MNIST, same models, optimiser
 * (Adam 1e-3), batch size (128) and threads. Models: MLP 784-256-128-10 and CNN conv32-pool-conv64-pool-fc128.
 * Training throughput is the last epoch's (the first carries warm-up: oneDNN primitive creation, allocator growth);
 * inference is the best of two passes over the 10,000 test images in chunks of 1,024. Each side runs
 * ENOUGH_BENCH_REPEATS times (default 2), interleaved, and the best run counts (noise on a shared machine only slows).
 *
 * Environment knobs: ENOUGH_THREADS (threads for both sides; default: all cores this process may use), ENOUGH_BENCH_EPOCHS (2),
 * ENOUGH_BENCH_MLP_N (60000), ENOUGH_BENCH_CNN_N (16384), ENOUGH_BENCH_REPEATS (2).
 * Augmentation overhead (recipe.augment, default policy vs none; goal: at most 10% slower training): the same CNN on
 * ENOUGH_BENCH_AUG_N (8192) Fashion-MNIST images (shift by up to 4 px) and an MLP 50-256-128-10 on as many
 * synthetic tabular rows (noise 0.1 of each feature's spread), last-epoch samples/s, interleaved, best of the
 * repeats. ENOUGH_BENCH_AUGMENT=only runs just this part, =0 skips it.
 * DP-SGD overhead (recipe.privacy, Poisson sampling, sigma 1, C 1, vs the same training without it): the MLP on
 * ENOUGH_BENCH_DP_N (8192) images (per-layer per-sample gradients) and the CNN on ENOUGH_BENCH_DP_CNN_N (512)
 * (micro-batches of one row); last-epoch samples/s, best of the repeats, and the ratio plain / private.
 * ENOUGH_BENCH_PRIVACY=only runs just this part, =0 skips it.
 * The PyTorch side gets the same thread environment (OMP_WAIT_POLICY, OPENBLAS_NUM_THREADS, OPENBLAS_CORETYPE).
 * Both instruction-set paths on one machine: on a CPU with AVX-512 the whole bench runs a second time in a child
 * process with oneDNN, ATen and OpenBLAS held to AVX2 (DNNL_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2
 * OPENBLAS_CORETYPE=Haswell, for both sides), and the ratios of both passes are printed side by side with the CPU
 * model (ENOUGH_BENCH_AVX2=0 skips the second pass). The engine's per-machine choices (enough info) are printed too.
 * Writes bench/out/engine.json (and engine-avx2.json).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { availableParallelism, cpus } from "node:os";
import { engineInfo, machineChoices, resolveAugment, train, type ModelSpec, type Tensors } from "../src/engine/index.js";
import { readFashionMnist } from "../src/data/sources/idx.js";

const here = dirname(fileURLToPath(import.meta.url));
const PY = "/usr/bin/python3";
const envInt = (k: string, d: number) => (Number.isInteger(Number(process.env[k])) && Number(process.env[k]) > 0 ? Number(process.env[k]) : d);

// Fixed threads for both sides (the engine's default adapts to load, which would make the comparison unequal).
process.env.ENOUGH_THREADS ??= String(availableParallelism());
const info = engineInfo(); // loads the addon, which fixes the thread environment first
const isaPass = process.env.ENOUGH_BENCH_ISA === "avx2" ? "avx2" : "own";
const machine = await machineChoices();
const threads = info.threads;
const epochs = envInt("ENOUGH_BENCH_EPOCHS", 2);
const repeats = envInt("ENOUGH_BENCH_REPEATS", 2);
const batch = 128;

const models: { name: string; ref: string; spec: ModelSpec; n: number }[] = [
  { name: "MLP 784-256-128-10", ref: "mlp", spec: { family: "mlp", hidden: [256, 128] }, n: envInt("ENOUGH_BENCH_MLP_N", 60000) },
  { name: "CNN conv32-pool-conv64-pool-fc128", ref: "cnn", spec: { family: "cnn", channels: [32, 64], fc: 128, batchNorm: false }, n: envInt("ENOUGH_BENCH_CNN_N", 16384) },
];

const data = await readFashionMnist();
const test = data.split.test;

interface Side {
  train: number;
  /** Training samples per CPU-second over all epochs (all threads): efficiency, less sensitive to other load. */
  trainCpu: number;
  infer: number;
  accuracy: number;
}

async function runEnough(spec: ModelSpec, n: number): Promise<Side> {
  const c0 = process.cpuUsage();
  const { model, result } = await train(spec, data, { train: data.split.train.subarray(0, n) }, { optimizer: "adam", lr: 1e-3, batchSize: batch, epochs, seed: 0, threads, earlyStopping: false });
  const c = process.cpuUsage(c0);
  const trainCpu = (n * epochs) / ((c.user + c.system) / 1e6);
  let best = Infinity;
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    await model.predict(data, test);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  const ev = await model.evaluate(data, test);
  model.dispose();
  return { train: result.history.at(-1)!.samplesPerSecond, trainCpu, infer: test.length / best, accuracy: ev.accuracy! };
}

let torchNote = "";
function runTorch(ref: string, n: number): Side | undefined {
  if (torchNote) return undefined;
  const probe = spawnSync(PY, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) {
    torchNote = `PyTorch skipped: \`${PY} -c "import torch"\` failed`;
    return undefined;
  }
  const r = spawnSync(PY, [join(here, "reference", "torch_engine.py"), "--model", ref, "--threads", String(threads), "--batch", String(batch), "--train-samples", String(n), "--epochs", String(epochs)], {
    encoding: "utf8",
    env: process.env,
  });
  if (r.status !== 0) {
    torchNote = `PyTorch reference failed: ${r.stderr.trim().split("\n").at(-1)}`;
    return undefined;
  }
  const j = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
  return { train: j.train_samples_per_s, trainCpu: j.train_samples_per_cpu_s, infer: j.infer_samples_per_s, accuracy: j.test_accuracy };
}

const best = (runs: Side[]): Side | undefined =>
  runs.length ? { train: Math.max(...runs.map((r) => r.train)), trainCpu: Math.max(...runs.map((r) => r.trainCpu)), infer: Math.max(...runs.map((r) => r.infer)), accuracy: runs.at(-1)!.accuracy } : undefined;

const augMode = process.env.ENOUGH_BENCH_AUGMENT ?? "1";
const rows = [];
const dpMode = process.env.ENOUGH_BENCH_PRIVACY ?? "1";
for (const m of augMode === "only" || dpMode === "only" ? [] : models) {
  const e: Side[] = [];
  const t: Side[] = [];
  for (let i = 0; i < repeats; i++) {
    e.push(await runEnough(m.spec, m.n));
    const tr = runTorch(m.ref, m.n);
    if (tr) t.push(tr);
  }
  const eb = best(e)!;
  const tb = best(t);
  rows.push({
    model: m.name,
    trainSamples: m.n,
    enough: eb,
    pytorch: tb ?? null,
    trainRatio: tb ? eb.train / tb.train : null,
    inferRatio: tb ? eb.infer / tb.infer : null,
    trainCpuRatio: tb ? eb.trainCpu / tb.trainCpu : null,
    runs: { enough: e, pytorch: t },
  });
}

const fmt = (v: number) => Math.round(v).toLocaleString("en-US");
const settings = {
  threads,
  batchSize: batch,
  epochs,
  repeats,
  OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY,
  OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS,
  OPENBLAS_CORETYPE: process.env.OPENBLAS_CORETYPE ?? "(auto)",
  blas: info.blas,
  torch: info.torchVersion,
  cpu: `${cpus()[0]?.model ?? "?"} x${cpus().length}`,
  isa: machine.cpu.isa + (machine.cpu.restriction ? ` (${machine.cpu.restriction})` : ""),
  blasCoreType: machine.blasCoreType,
  convLayout: machine.channelsLast,
};
console.log(`threads ${threads}, batch ${batch}, Adam 1e-3, ${epochs} epochs (last one timed), best of ${repeats}`);
console.log(`OMP_WAIT_POLICY=${settings.OMP_WAIT_POLICY} OPENBLAS_NUM_THREADS=${settings.OPENBLAS_NUM_THREADS} OPENBLAS_CORETYPE=${settings.OPENBLAS_CORETYPE}`);
console.log(`BLAS: ${info.blas}; libtorch ${info.torchVersion}; ${settings.cpu}; instruction set ${settings.isa}`);
console.log(`engine's choices: BLAS kernels ${machine.blasCoreType.value ?? "auto"} (${machine.blasCoreType.why}); conv layout ${machine.channelsLast?.value ? "channels-last" : "NCHW"} (${machine.channelsLast?.why})`);
console.log("model                               | train/s enough | train/s torch | ratio | infer/s enough | infer/s torch | ratio | train/cpu-s ratio | acc enough/torch");
for (const r of rows) {
  console.log(
    [
      r.model.padEnd(35),
      fmt(r.enough.train).padStart(14),
      (r.pytorch ? fmt(r.pytorch.train) : "-").padStart(13),
      (r.trainRatio ? r.trainRatio.toFixed(2) + "x" : "-").padStart(5),
      fmt(r.enough.infer).padStart(14),
      (r.pytorch ? fmt(r.pytorch.infer) : "-").padStart(13),
      (r.inferRatio ? r.inferRatio.toFixed(2) + "x" : "-").padStart(5),
      (r.trainCpuRatio ? r.trainCpuRatio.toFixed(2) + "x" : "-").padStart(17),
      `${r.enough.accuracy.toFixed(3)}/${r.pytorch ? r.pytorch.accuracy.toFixed(3) : "-"}`,
    ].join(" | "),
  );
}
if (torchNote) console.log(torchNote);

// ---- augmentation overhead ----
async function augmentOverhead(): Promise<{ name: string; policy: unknown; none: number; augmented: number; slowdown: number }[]> {
  const n = envInt("ENOUGH_BENCH_AUG_N", 8192);
  const d = 50;
  // Synthetic tabular rows: 10 Gaussian classes in 50 features (the content does not matter for speed).
  let s = 12345;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const tx = new Float32Array(n * d);
  const ty = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    ty[i] = i % 10;
    for (let j = 0; j < d; j++) tx[i * d + j] = (j % 10 === ty[i] ? 1 : 0) + Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  }
  const tab: Tensors = { task: "classification", numClasses: 10, n, x: tx, xShape: [d], xKind: "dense", y: ty };
  const cases: { name: string; spec: ModelSpec; data: Tensors; rows: Int32Array }[] = [
    { name: "CNN on Fashion-MNIST, default image policy", spec: models[1]!.spec, data, rows: data.split.train.subarray(0, n) },
    { name: "MLP 50-256-128-10 on tabular, default dense policy", spec: { family: "mlp", hidden: [256, 128] }, data: tab, rows: Int32Array.from({ length: n }, (_, i) => i) },
  ];
  const out = [];
  for (const c of cases) {
    const speed = { none: 0, augmented: 0 };
    for (let i = 0; i < repeats; i++) {
      for (const key of ["none", "augmented"] as const) {
        const { model, result } = await train(c.spec, c.data, { train: c.rows }, { optimizer: "adam", lr: 1e-3, batchSize: batch, epochs, seed: 0, threads, earlyStopping: false, augment: key === "augmented" });
        model.dispose();
        speed[key] = Math.max(speed[key], result.history.at(-1)!.samplesPerSecond);
      }
    }
    out.push({ name: c.name, policy: resolveAugment(true, c.data), ...speed, slowdown: speed.none / speed.augmented - 1 });
  }
  return out;
}
const augment = augMode === "0" || dpMode === "only" ? [] : await augmentOverhead();
if (augment.length) {
  console.log("augmentation overhead (goal <= 10% slower)    | train/s none | train/s augmented | slower by");
  for (const a of augment) console.log([a.name.padEnd(50), fmt(a.none).padStart(12), fmt(a.augmented).padStart(17), `${(a.slowdown * 100).toFixed(1)}%`.padStart(9)].join(" | "));
}

// ---- DP-SGD overhead ----
async function privacyOverhead(): Promise<{ name: string; method: string; n: number; plain: number; private: number; slowdown: number }[]> {
  const cases = [
    { name: "MLP 784-256-128-10 on Fashion-MNIST", method: "per-layer (linear taps)", spec: models[0]!.spec, n: envInt("ENOUGH_BENCH_DP_N", 8192) },
    { name: "CNN conv32-pool-conv64-pool-fc128", method: "micro-batches of 1", spec: models[1]!.spec, n: envInt("ENOUGH_BENCH_DP_CNN_N", 512) },
  ];
  const out = [];
  for (const c of cases) {
    const speed = { plain: 0, private: 0 };
    for (let i = 0; i < repeats; i++) {
      for (const key of ["plain", "private"] as const) {
        const privacy = key === "private" ? { noiseMultiplier: 1, maxGradNorm: 1, sampling: "poisson" as const } : undefined;
        const { model, result } = await train(c.spec, data, { train: data.split.train.subarray(0, c.n) }, { optimizer: "adam", lr: 1e-3, batchSize: batch, epochs, seed: 0, threads, earlyStopping: false, privacy });
        model.dispose();
        speed[key] = Math.max(speed[key], result.history.at(-1)!.samplesPerSecond);
      }
    }
    out.push({ name: c.name, method: c.method, n: c.n, ...speed, slowdown: speed.plain / speed.private });
  }
  return out;
}
const privacy = dpMode === "0" ? [] : await privacyOverhead();
if (privacy.length) {
  console.log("DP-SGD overhead (sigma 1, C 1, Poisson)      | per-sample method        | train/s plain | train/s private | plain/private");
  for (const a of privacy) console.log([a.name.padEnd(45), a.method.padEnd(24), fmt(a.plain).padStart(13), fmt(a.private).padStart(15), `${a.slowdown.toFixed(2)}x`.padStart(13)].join(" | "));
}
mkdirSync(join(here, "out"), { recursive: true });
const outName = isaPass === "avx2" ? "engine-avx2.json" : "engine.json";
writeFileSync(join(here, "out", outName), JSON.stringify({ date: new Date().toISOString(), isaPass, settings, note: torchNote || undefined, results: rows, augment, privacy }, null, 2) + "\n");
console.log(`wrote ${join("bench", "out", outName)}`);

// ---- the AVX2 path on the same machine ----
if (isaPass === "own" && machine.cpu.isa === "avx512" && process.env.ENOUGH_BENCH_AVX2 !== "0") {
  const avx2Env = { DNNL_MAX_CPU_ISA: "AVX2", ATEN_CPU_CAPABILITY: "avx2", OPENBLAS_CORETYPE: "Haswell" };
  console.log(`\n--- the same under AVX2 emulation (${Object.entries(avx2Env).map(([k, v]) => `${k}=${v}`).join(" ")}, both sides)`);
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], { stdio: "inherit", env: { ...process.env, ...avx2Env, ENOUGH_BENCH_ISA: "avx2" } });
  if (r.status === 0) {
    const avx2 = JSON.parse(readFileSync(join(here, "out", "engine-avx2.json"), "utf8")) as { results: typeof rows };
    const x = (v: number | null | undefined) => (v ? v.toFixed(2) + "x" : "-");
    console.log(`\nenough / PyTorch on ${settings.cpu}  | train, own ISA (${machine.cpu.isa}) | train, AVX2 | infer, own ISA | infer, AVX2`);
    for (const row of rows) {
      const a = avx2.results.find((q) => q.model === row.model);
      console.log([row.model.padEnd(35), x(row.trainRatio).padStart(28), x(a?.trainRatio).padStart(11), x(row.inferRatio).padStart(14), x(a?.inferRatio).padStart(11)].join(" | "));
    }
  } else {
    console.log(`the AVX2 pass failed (exit ${r.status})`);
  }
}
