// Exercises every model family through the built library (dist/) for scripts/native-memcheck.sh: train (with a
// validation slice and early stopping), predict, embed, evaluate, save and load. Small on purpose: under valgrind
// every instruction is emulated. The resnet and cnn cases include convolutions with fewer than 8 channels, the
// shape that overwrote the heap on AVX2 paths.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Model, train, pretext, cvaeSample, nearestRows, ACQUIRE_STRATEGIES } from "../../dist/engine/index.js";

function lcg(seed) {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
const range = (a, b) => Int32Array.from({ length: b - a }, (_, i) => a + i);

function images(n, c, s) {
  const r = lcg(3);
  const x = new Uint8Array(n * c * s * s);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 4;
    for (let j = 0; j < c * s * s; j++) x[i * c * s * s + j] = Math.floor(r() * 255);
  }
  return { task: "classification", numClasses: 4, n, x, xShape: [c, s, s], xKind: "image", y };
}
function dense(n, d, regression) {
  const r = lcg(5);
  const x = new Float32Array(n * d).map(() => r() * 2 - 1);
  const cat = Int32Array.from({ length: n }, (_, i) => i % 3);
  const base = { n, x, xShape: [d], xKind: "dense", cat, catCardinalities: [3] };
  if (regression) return { ...base, task: "regression", numClasses: 0, y: Float32Array.from({ length: n }, (_, i) => x[i * d] * 3) };
  return { ...base, task: "classification", numClasses: 3, y: Int32Array.from({ length: n }, (_, i) => i % 3) };
}
function tokens(n, len) {
  const r = lcg(7);
  const x = Int32Array.from({ length: n * len }, () => 1 + Math.floor(r() * 40));
  return { task: "classification", numClasses: 2, n, x, xShape: [len], xKind: "tokens", vocabSize: 41, y: Int32Array.from({ length: n }, (_, i) => i % 2) };
}

const cases = [
  ["resnet width 0.25", { family: "resnet", width: 0.25 }, images(60, 1, 12)],
  ["resnet rgb", { family: "resnet", channels: [8, 16] }, images(40, 3, 16)],
  ["cnn small channels", { family: "cnn", channels: [4, 6], fc: 8, channelsLast: true }, images(60, 1, 12)],
  ["cnn nchw", { family: "cnn", width: 0.25, channelsLast: false }, images(60, 3, 12)],
  ["mlp + categorical", { family: "mlp", hidden: [16, 8], batchNorm: true, dropout: 0.2 }, dense(80, 6, false)],
  ["mlp regression", { family: "mlp", hidden: [8] }, dense(80, 6, true)],
  ["text conv", { family: "text", variant: "conv", width: 0.25 }, tokens(60, 12)],
  ["text bag", { family: "text", width: 0.25, dropout: 0.1 }, tokens(60, 12)],
  // DP-SGD: per-layer per-sample gradients (linear + embedding taps), and micro-batches (convolutions).
  ["private mlp + categorical", { family: "mlp", hidden: [16, 8], dropout: 0.2 }, dense(80, 6, false), { privacy: { noiseMultiplier: 1, maxGradNorm: 1, sampling: "poisson" } }],
  ["private cnn", { family: "cnn", channels: [4], fc: 8, batchNorm: false, channelsLast: false }, images(40, 1, 8), { privacy: { noiseMultiplier: 1, maxGradNorm: 1, sampling: "shuffle" } }],
  // Augmentation inside the batch gather: every image op (channels-last and NCHW), dense noise + SMOTE + mixup,
  // token dropout and swaps.
  ["augmented cnn", { family: "cnn", channels: [8, 8], fc: 8 }, images(60, 3, 12), { augment: { crop: 2, flip: "h", rotate: 15, scale: 0.1, cutout: 0.3, mixup: 0.2, cutmix: 0.2 } }],
  ["augmented cnn nchw", { family: "cnn", channels: [4], fc: 8, channelsLast: false }, images(60, 1, 12), { augment: { crop: 2, rotate: 10, cutout: 0.2 } }],
  ["augmented mlp", { family: "mlp", hidden: [16] }, dense(80, 6, false), { augment: { noise: 0.1, smote: 0.5, mixup: 0.2 } }],
  ["augmented text", { family: "text", width: 0.25 }, tokens(60, 12), { augment: { tokenDropout: 0.1, tokenSwap: 0.1 } }],
];
const dir = mkdtempSync(join(tmpdir(), "enough-memcheck-"));
try {
  for (const [name, spec, d, extra] of cases) {
    const n = d.n;
    const { model } = await train(spec, d, { train: range(0, n - 16), valid: range(n - 16, n) },
      { threads: 1, epochs: 2, batchSize: 16, earlyStopping: { patience: 1 }, seed: 1, ...extra });
    await model.predict(d, range(0, 10));
    await model.embed(d, range(0, 10));
    await model.evaluate(d);
    const p = join(dir, name.replace(/\W+/g, "-"));
    await model.save(p);
    const loaded = await Model.load(p);
    await loaded.predict(d, range(0, 10));
    loaded.dispose();
    model.dispose();
    console.log(`memcheck: ${name} ok`);
  }
  // The label-efficient levers' native code (acquire.cc, semi.cc, pretext.cc, generative*.cc, neighbours.cc).
  const lev = { threads: 1, epochs: 1, batchSize: 16, earlyStopping: false, seed: 2 };
  for (const [name, spec, d] of [
    ["mlp", { family: "mlp", hidden: [16], dropout: 0.2 }, dense(80, 6, false)],
    ["cnn", { family: "cnn", channels: [4], fc: 8, dropout: 0.2 }, images(48, 1, 8)],
  ]) {
    const { model } = await train(spec, d, { train: range(0, 24) }, lev);
    for (const strategy of ACQUIRE_STRATEGIES) {
      await model.acquire(d, range(24, d.n), range(0, 24), { strategy, k: 5, seed: 3, mcSamples: 3, threads: 1 });
    }
    model.dispose();
    const semi = await train(spec, d, { train: range(0, 16) }, { ...lev, semi: { threshold: 0.3, ratio: 2 } }, { unlabeled: { data: d, rows: range(16, d.n) } });
    semi.model.dispose();
    const pre = await pretext(spec, d, range(0, d.n), {}, { ...lev, steps: 4 });
    pre.model.dispose();
    console.log(`memcheck: ${name} acquire/semi/pretext ok`);
  }
  const t = tokens(40, 10);
  (await pretext({ family: "text", width: 0.25 }, t, undefined, {}, { ...lev, steps: 4 })).model.dispose();
  const g = dense(60, 5, false);
  await cvaeSample(g.x, g.y, 3, 5, Int32Array.from([0, 1, 2, 2]), { seed: 1, steps: 8, hidden: 16, latent: 4, batchSize: 16, likelihood: "gaussian" });
  await nearestRows(g.x, 60, 5, 3, { metric: "euclidean", threads: 1 });
  await nearestRows(g.x, 60, 5, 2, { metric: "cosine", query: g.x.subarray(0, 50), threads: 1 });
  console.log("memcheck: text pretext, cvae, neighbours ok");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
