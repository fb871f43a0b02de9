/**
 * n-for-target against the truth (issue 17), on real learning curves: the engine corpus (bench/corpus/*.csv,
 * measured by bench/corpus/make-corpus.ts) and the LCDB curves in ../shared/benchmarks/. For each curve, the fit
 * sees the sizes up to 1/4, 1/8 and 1/16 of the largest; every larger size whose mean score is a new best is a
 * target, and that size is the truth. Reports per extrapolation: the median and 90th percentile of
 * max(answer/truth, truth/answer), the 80% interval's coverage and its median width hi/lo, for the uncalibrated
 * forecaster ("old") and the calibrated one ("new"). The calibration the "new" column uses for a curve is learnt
 * on every other engine curve (leave-one-curve-out), so no figure grades its own training data; the LCDB curves
 * are never used to learn it. Writes bench/out/truth.json.
 *
 * Env: TRUTH_B (bootstrap replicates, default 60), TRUTH_LCDB_EVERY (every k-th LCDB curve, default 1),
 * TRUTH_LEARN=1 (also print the calibration learnt on the whole engine corpus: the constants for calibration.ts),
 * TRUTH_SHIP='{"spreadScale":0.5}' (grade a variant of the shipped calibration in the "shipped" column: what-ifs).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fitCurve, metricInfo, type CurvePoint } from "../src/curves/index.js";
import { CALIBRATION, LEARNT_CALIBRATION, NO_CALIBRATION, type Calibration } from "../src/curves/calibration.js";
import { learnCalibration, type CalibrationCase } from "../src/curves/calibrate.js";
import { summariseTruth, truthCases, type TruthAnswer, type TruthCurve, type TruthSummary } from "../src/curves/truth.js";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..");
const B = Number(process.env.TRUTH_B ?? 60);
const SHIPPED: Calibration = { ...CALIBRATION, ...(process.env.TRUTH_SHIP ? (JSON.parse(process.env.TRUTH_SHIP) as Partial<Calibration>) : {}) };
const FRACTIONS = [4, 8, 16];

function readCorpus(): TruthCurve[] {
  const dir = join(here, "corpus");
  const curves: TruthCurve[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".csv")).sort()) {
    const lines = readFileSync(join(dir, f), "utf8").trim().split(/\r?\n/);
    const head = lines[0]!.split(",");
    const at = (k: string): number => head.indexOf(k);
    const points: CurvePoint[] = lines.slice(1).map((l) => {
      const c = l.split(",");
      return { n: Number(c[at("size")]), score: Number(c[at("score")]), seed: Number(c[at("seed")]) };
    });
    curves.push({ id: f.replace(/\.csv$/, ""), group: "engine", points });
  }
  return curves;
}

function readLcdb(): TruthCurve[] {
  const file = resolve(repo, "..", "shared", "benchmarks", "lcdb-liblinear-openml3.csv");
  if (!existsSync(file)) return [];
  const every = Number(process.env.TRUTH_LCDB_EVERY ?? 1);
  const lines = readFileSync(file, "utf8").trim().split(/\r?\n/);
  const by = new Map<number, CurvePoint[]>();
  for (const l of lines.slice(1)) {
    const [curve, n, split, acc] = l.split(",");
    if (split !== "valid") continue;
    const id = Number(curve);
    if (id % every !== 0) continue;
    if (!by.has(id)) by.set(id, []);
    by.get(id)!.push({ n: Number(n), score: Number(acc) });
  }
  return [...by.entries()].map(([id, points]) => ({ id: `lcdb-${id}`, group: "lcdb", points }));
}

const curves = [...readCorpus(), ...readLcdb()];
const t0 = performance.now();
const cases: CalibrationCase[] = [];
for (const curve of curves) {
  const chance = curve.group === "lcdb" ? 0.522 : undefined;
  const metric = metricInfo("accuracy", chance !== undefined ? { chance } : {});
  for (const c of truthCases(curve, FRACTIONS)) {
    if (c.targets.length === 0) continue;
    const fit = fitCurve(c.fitPoints, { metric, seed: 1, bootstrap: B, calibration: NO_CALIBRATION });
    cases.push({ curve: c.curve, group: c.group, fraction: c.fraction, fit, targets: c.targets });
  }
}
const fitSeconds = (performance.now() - t0) / 1000;

const engineCurves = [...new Set(cases.filter((c) => c.group === "engine").map((c) => c.curve))];
// Leave one curve out: the calibration for curve c is learnt on the other engine curves.
const held = new Map<string, Calibration>();
for (const id of engineCurves) held.set(id, learnCalibration(cases.filter((c) => c.group === "engine" && c.curve !== id), SHIPPED));
const forCurve = (id: string): Calibration => held.get(id) ?? LEARNT_CALIBRATION;

function answers(c: CalibrationCase, cal: Calibration): TruthAnswer[] {
  const fit = c.fit.recalibrated(cal);
  return c.targets.map((t) => {
    const a = fit.samplesFor(t.target);
    return { truth: t.truth, mean: a.mean, lo: a.lo, hi: a.hi };
  });
}

interface Row { group: string; fraction: number; old: TruthSummary; shipped: TruthSummary; new: TruthSummary }
const rows: Row[] = [];
for (const group of ["engine", "lcdb"]) for (const f of FRACTIONS) {
  const sel = cases.filter((c) => c.group === group && c.fraction === f);
  if (!sel.length) continue;
  rows.push({
    group,
    fraction: f,
    old: summariseTruth(sel.flatMap((c) => answers(c, NO_CALIBRATION))),
    shipped: summariseTruth(sel.flatMap((c) => answers(c, SHIPPED))),
    new: summariseTruth(sel.flatMap((c) => answers(c, group === "engine" ? forCurve(c.curve) : LEARNT_CALIBRATION))),
  });
}
const fmt = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : "inf");
console.log(`n-for-target against the truth: ${engineCurves.length} engine curves, ${curves.filter((c) => c.group === "lcdb").length} LCDB curves; fits on sizes up to 1/f of the largest`);
console.log(`("shipped": CALIBRATION in src/curves/calibration.ts, what users get; "learnt": the learnt calibration, on engine curves`);
console.log(` leave-one-curve-out, on LCDB the constants learnt on every engine curve: LCDB is never used to learn)`);
console.log("group    f  targets | median ratio          | p90 ratio             | 80% coverage         | median hi/lo");
console.log("                    |   old  shipped   learnt |   old  shipped   learnt |  old shipped learnt |   old shipped  learnt");
const cols = (pick: (s: TruthSummary) => number, d: number, w: number) => (r: Row): string =>
  [r.old, r.shipped, r.new].map((s) => fmt(pick(s), d).padStart(w)).join(" ");
for (const r of rows) {
  console.log(
    `${r.group.padEnd(7)}${String(r.fraction).padStart(3)}${String(r.old.count).padStart(9)} | ${cols((s) => s.medianRatio, 2, 6)(r)}   | ${cols((s) => s.p90Ratio, 2, 6)(r)}   | ${cols((s) => s.coverage, 2, 5)(r)}  | ${cols((s) => s.medianWidth, 1, 6)(r)}`,
  );
}
console.log(`\nper engine curve (f=4, 8, 16; shipped | learnt leave-one-out):`);
for (const id of engineCurves) {
  const parts = FRACTIONS.map((f) => {
    const sel = cases.filter((c) => c.curve === id && c.fraction === f);
    if (!sel.length) return `f=${f}: -`;
    const one = (cal: Calibration): string => {
      const s = summariseTruth(sel.flatMap((c) => answers(c, cal)));
      return `ratio ${fmt(s.medianRatio)} cov ${fmt(s.coverage)} width ${fmt(s.medianWidth, 1)}`;
    };
    return `f=${f} (${sel.flatMap((c) => c.targets).length}): ${one(SHIPPED)} | ${one(forCurve(id))}`;
  });
  const cal = forCurve(id);
  console.log(`  ${id.padEnd(22)} ${parts.join("  ")}   [held-out ${cal.tail} tail, blend ${cal.blend.toFixed(2)} (full at ${cal.blendSpread}), curvature ${cal.curvature.toFixed(2)}, span ${cal.slopeSpan}, spread ${cal.spreadScale.toFixed(2)}, horizon ${cal.horizonSd.toFixed(2)}]`);
}
// A clean power law with a real asymptote (0.95 - 2 n^-0.5, seed noise +-0.005, 3 seeds at 100-1,600): the case
// where a log-linear tail over-reads and the families are right.
{
  const pts: CurvePoint[] = [];
  for (const n of [100, 200, 400, 800, 1600]) for (const seed of [0, 1, 2]) {
    pts.push({ n, seed, score: 0.95 - 2 * Math.pow(n, -0.5) + ((((seed * 9301 + n * 49297) % 233280) / 233280) - 0.5) * 0.01 });
  }
  const fit = fitCurve(pts, { metric: metricInfo("accuracy"), seed: 1, bootstrap: B });
  const say = (cal: Calibration, t: number): string => {
    const a = fit.recalibrated(cal).samplesFor(t);
    return `${Math.round(a.mean).toLocaleString("en-US")} (${Math.round(a.lo).toLocaleString("en-US")}-${Number.isFinite(a.hi) ? Math.round(a.hi).toLocaleString("en-US") : "unbounded"})`;
  };
  console.log(`\nclean power law 0.95 - 2 n^-0.5 fitted on 100-1,600 (old | shipped | learnt on every engine curve):`);
  for (const t of [0.92, 0.935]) {
    const truth = Math.pow(2 / (0.95 - t), 2);
    console.log(`  target ${t}: truth ${Math.round(truth).toLocaleString("en-US")}; answers ${say(NO_CALIBRATION, t)} | ${say(SHIPPED, t)} | ${say(LEARNT_CALIBRATION, t)}`);
  }
}
const seconds = (performance.now() - t0) / 1000;
console.log(`\n(${cases.length} fits in ${fitSeconds.toFixed(0)} s, ${seconds.toFixed(0)} s in all; the machine is shared, so times are inflated)`);
if (process.env.TRUTH_LEARN) {
  const all = learnCalibration(cases.filter((c) => c.group === "engine"), SHIPPED);
  console.log(`calibration learnt on every engine curve: ${JSON.stringify(all)} (shipped: ${JSON.stringify(SHIPPED)})`);
}
mkdirSync(join(here, "out"), { recursive: true });
writeFileSync(join(here, "out", "truth.json"), JSON.stringify({ fractions: FRACTIONS, rows, heldOut: Object.fromEntries(held), shipped: SHIPPED, seconds }, null, 2));
