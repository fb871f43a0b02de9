/**
 * `enough fit <curve.csv>`: fits a learning curve (columns n,score[,seed]) and prints forecasts with intervals:
 * the score at observed and larger sizes, the samples needed for a target, the gain per doubling, and warnings.
 */
import { readFileSync, statSync } from "node:fs";
import type { Command } from "commander";
import { curvePointsFromCsv, fitCurve, metricInfo, type CurveFit, type Interval } from "../../curves/index.js";
import { EnoughError, InputError } from "../../errors.js";
import { writeOut } from "../output.js";
import { int } from "../../format.js";

export interface FitCommandOptions {
  metric?: string;
  target?: string;
  at?: string;
  confidence?: string;
  seed?: string;
  chance?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command("fit")
    .description("fit a learning curve from a CSV (columns n,score[,seed]) and forecast the score at larger sizes")
    .argument("<curve.csv>", "CSV file with columns n, score and optionally seed (one row per run)")
    .option("--metric <name>", "what the score is: accuracy, f1, auc, r2, loss, error, mse, mae, neg_log_loss (neg_: higher is better), ...", "accuracy")
    .option("--target <score>", "report how many samples reach this score")
    .option("--at <sizes>", "also forecast at these sizes, comma-separated (e.g. 10000,50000)")
    .option("--confidence <p>", "interval probability", "0.8")
    .option("--chance <score>", "the score of a model that has learnt nothing (e.g. the majority-class rate)")
    .option("--seed <seed>", "seed for the bootstrap", "1")
    .option("--json", "print one JSON object instead of text")
    .action((file: string, opts: FitCommandOptions) => {
      const out = runFitCommand(file, opts);
      writeOut(out.text);
    });
}

function num(value: string | undefined, flag: string, check: (v: number) => boolean, what: string): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (value.trim() === "" || !Number.isFinite(v) || !check(v)) throw new InputError("BAD_OPTION", `${flag} must be ${what}, got "${value}"`);
  return v;
}

function readText(file: string): string {
  try {
    if (statSync(file).isDirectory()) throw new InputError("NOT_A_FILE", `${file} is a directory, not a CSV file`);
    return readFileSync(file, "utf8");
  } catch (err) {
    if (err instanceof EnoughError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError("FILE_UNREADABLE", code === "ENOENT" ? `${file}: no such file` : `${file}: cannot read (${code ?? String(err)})`, {
      hint: "give the path of a CSV file with columns n,score[,seed]",
    });
  }
}

/** Runs the command and returns what it prints (text or JSON), so tests can call it in-process. */
export function runFitCommand(file: string, opts: FitCommandOptions): { text: string; json: Record<string, unknown> } {
  const metricName = opts.metric ?? "accuracy";
  const chance = num(opts.chance, "--chance", () => true, "a number");
  const metric = metricInfo(metricName, chance !== undefined ? { chance } : {});
  const confidence = num(opts.confidence ?? "0.8", "--confidence", (v) => v > 0 && v < 1, "a probability between 0 and 1 (e.g. 0.8)")!;
  const seed = num(opts.seed ?? "1", "--seed", (v) => Number.isInteger(v), "an integer")!;
  const target = num(opts.target, "--target", (v) => (metric.lower === undefined || v >= metric.lower) && (metric.upper === undefined || v <= metric.upper), `a ${metric.name} value${metric.lower !== undefined || metric.upper !== undefined ? ` in [${metric.lower ?? "-inf"}, ${metric.upper ?? "inf"}]` : ""}`);
  const at = (opts.at ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => num(s, "--at", (v) => v > 0, "positive sizes separated by commas")!);

  const points = curvePointsFromCsv(readText(file), file, { metric: metricName });
  let fit: CurveFit;
  try {
    fit = fitCurve(points, { metric, seed });
  } catch (err) {
    if (err instanceof EnoughError) throw new InputError(err.code, `${file}: ${err.message}`, { hint: err.hint });
    throw err;
  }
  const sizes = [...new Set(points.map((p) => p.n))].sort((a, b) => a - b);
  const nMax = sizes[sizes.length - 1]!;
  const predN = [...new Set([...sizes, 2 * nMax, 4 * nMax, 10 * nMax, ...at])].sort((a, b) => a - b);
  const observed = new Map(sizes.map((n) => {
    const s = points.filter((p) => p.n === n).map((p) => p.score);
    return [n, s.reduce((a, b) => a + b, 0) / s.length];
  }));
  const predictions = predN.map((n) => ({ n, ...clean(fit.scoreAt(n, { confidence })), ...(observed.has(n) ? { observed: observed.get(n)! } : {}) }));
  const sft = target !== undefined ? fit.samplesFor(target, { confidence }) : undefined;
  const gain = fit.gainPerDoubling(nMax, { confidence });
  const json = {
    file,
    metric: fit.metric,
    intervalConfidence: confidence,
    confidence: fit.confidence,
    family: fit.family,
    families: fit.families.map((f) => ({ ...f, cvError: fin(f.cvError) })),
    asymptote: clean(fit.asymptote({ confidence })),
    predictions,
    samplesForTarget: sft ? { target, mean: fin(sft.mean), lo: fin(sft.lo), hi: fin(sft.hi), reachable: sft.reachable, probabilityReachable: sft.confidence } : null,
    gainPerDoubling: { n: nMax, ...clean(gain) },
    diagnostics: fit.diagnostics,
    points: points.length,
    sizes: sizes.length,
    nMax,
  };
  const text = opts.json ? JSON.stringify(json, null, 2) + "\n" : describe(fit, json, target, sft, confidence, observed);
  return { text, json };
}

/** JSON cannot hold Infinity: unreachable sizes become null. */
function fin(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function clean(i: Interval): { mean: number | null; lo: number | null; hi: number | null } {
  return { mean: fin(i.mean), lo: fin(i.lo), hi: fin(i.hi) };
}

const fmtN = (n: number): string => (Number.isFinite(n) ? int(n) : "∞");
function fmtS(v: number | null, digits = 3): string {
  if (v === null) return "n/a";
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : v.toFixed(digits);
}
/** Enough digits to tell neighbouring values apart for small gains. */
function fmtG(v: number): string {
  const a = Math.abs(v);
  const d = a === 0 ? 3 : Math.min(6, Math.max(3, 2 - Math.floor(Math.log10(a))));
  return (v >= 0 ? "+" : "") + v.toFixed(d);
}

function describe(
  fit: CurveFit,
  json: { predictions: { n: number; mean: number | null; lo: number | null; hi: number | null; observed?: number }[]; points: number; sizes: number; nMax: number; asymptote: { mean: number | null; lo: number | null; hi: number | null } },
  target: number | undefined,
  sft: ReturnType<CurveFit["samplesFor"]> | undefined,
  conf: number,
  observed: Map<number, number>,
): string {
  const pct = `${Math.round(conf * 100)}%`;
  const L: string[] = [];
  const m = fit.metric.name;
  L.push(`${m}: ${json.points} runs at ${json.sizes} sizes, n up to ${fmtN(json.nMax)}`);
  const used = fit.families.filter((f) => f.weight > 0).sort((a, b) => b.weight - a.weight);
  L.push(
    used.length === 1
      ? `Curve: ${used[0]!.name} (chosen by how well it forecast held-out larger sizes)`
      : `Curve: a weighted mix of ${used.map((f) => `${f.name} ${Math.round(f.weight * 100)}%`).join(", ")} (weights from forecasting held-out larger sizes)`,
  );
  L.push(`Confidence: ${fit.confidence}`);
  L.push("");
  L.push(`  ${"n".padStart(12)}  ${m.padStart(8)}  ${pct} interval${"".padEnd(8)}observed`);
  for (const p of json.predictions) {
    const obs = observed.get(p.n);
    L.push(`  ${fmtN(p.n).padStart(12)}  ${fmtS(p.mean).padStart(8)}  ${`${fmtS(p.lo)} – ${fmtS(p.hi)}`.padEnd(20)}${obs !== undefined ? fmtS(obs) : p.n > json.nMax ? "(forecast)" : ""}`);
  }
  L.push("");
  if (target !== undefined && sft) {
    const t = fmtS(target, Math.max(2, (String(target).split(".")[1] ?? "").length));
    if (sft.reachable === false) {
      L.push(`Reaching ${t} looks out of reach: the curve levels off at about ${fmtS(json.asymptote.mean)} (${pct} interval ${fmtS(json.asymptote.lo)}–${fmtS(json.asymptote.hi)}); more data of this kind is unlikely to get there.`);
    } else if (!Number.isFinite(sft.mean)) {
      L.push(`Reaching ${t}: the fitted curve does not get there, though it might (probability about ${Math.round(sft.confidence * 100)}%); ${pct} interval ${fmtN(sft.lo)}–${fmtN(sft.hi)} samples.`);
    } else {
      const have = sft.mean <= json.nMax ? ` (already within the measured range)` : `; you have ${fmtN(json.nMax)}`;
      L.push(`Reaching ${t} needs about ${fmtN(sft.mean)} samples (${pct} interval ${fmtN(sft.lo)}–${fmtN(sft.hi)})${have}.`);
      if (sft.reachable === "uncertain") L.push(`  It may not be reachable at all: probability of reaching it about ${Math.round(sft.confidence * 100)}%.`);
    }
  }
  for (const n of [json.nMax, 4 * json.nMax]) {
    const g = fit.gainPerDoubling(n, { confidence: conf });
    L.push(`Doubling from ${fmtN(n)} to ${fmtN(2 * n)} samples gains about ${fmtG(g.mean)} ${m} (${pct} interval ${fmtG(g.lo)} to ${fmtG(g.hi)}).`);
  }
  L.push(`The curve levels off at about ${fmtS(json.asymptote.mean)} (${pct} interval ${fmtS(json.asymptote.lo)}–${fmtS(json.asymptote.hi)}).`);
  const notes = fit.diagnostics.filter((d) => d.severity !== "info");
  if (notes.length > 0) {
    L.push("");
    L.push("Warnings:");
    for (const d of notes) L.push(`  - ${d.message}`);
  }
  const infos = fit.diagnostics.filter((d) => d.severity === "info");
  for (const d of infos) L.push(`Note: ${d.message}`);
  return L.join("\n") + "\n";
}
