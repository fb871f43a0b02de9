/**
 * Audit speed (`npm run bench -- audit-speed`): `enough audit` as a user runs it on a pixel CSV of ROWS (20,000)
 * Fashion-MNIST images x 784 columns plus a `site` group column and the label (5-fold out-of-fold predictions,
 * duplicates, near duplicates, outliers, groups with their learning curves). Prints the wall time of each phase
 * (from the audit's progress events), the total, the process's CPU time, and the findings' counts, so a change in
 * speed can be checked against the findings staying the same. Goal: under 5 minutes on 2 cores.
 * Writes bench/out/audit-speed.json.
 */
import { mkdirSync, writeFileSync, createWriteStream, existsSync } from "node:fs";
import { once } from "node:events";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readFashionMnist } from "../src/data/index.js";
import { audit } from "../src/audit/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const ROWS = Number(process.env.ROWS ?? 20000);
const D = 784;
const SITES = ["north", "south", "east"];

async function writeCsv(file: string): Promise<void> {
  const fm = await readFashionMnist();
  const out = createWriteStream(file);
  out.write(Array.from({ length: D }, (_, j) => `p${j}`).join(",") + ",site,label\n");
  for (let i = 0; i < ROWS; i++) {
    const r = fm.split.train[i]!;
    const px = fm.x.subarray(r * D, (r + 1) * D);
    // a deterministic pseudo-random site per row (Knuth's multiplicative hash)
    const line = `${px.join(",")},${SITES[(Math.imul(r, 2654435761) >>> 0) % 3]},c${(fm.y as Int32Array)[r]}\n`;
    if (!out.write(line)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

const dir = join(tmpdir(), "enough-bench-audit-speed");
mkdirSync(dir, { recursive: true });
const csv = join(dir, `fmnist-${ROWS}.csv`);
if (!existsSync(csv)) await writeCsv(csv);

const phases: { phase: string; seconds: number }[] = [];
let current = "";
let since = performance.now();
const c0 = process.cpuUsage();
const t0 = performance.now();
const report = await audit(
  { source: csv, target: "label", groups: ["site"], cacheRoot: join(dir, "cache") },
  {
    onProgress: (p) => {
      const name = p.phase.startsWith("load") ? "load" : p.phase;
      if (name === current) return;
      const now = performance.now();
      if (current) phases.push({ phase: current, seconds: (now - since) / 1000 });
      current = name;
      since = now;
    },
  },
);
const now = performance.now();
phases.push({ phase: current, seconds: (now - since) / 1000 });
const total = (now - t0) / 1000;
const cpu = process.cpuUsage(c0);
// one row per phase name (a phase may recur)
const byPhase = new Map<string, number>();
for (const p of phases) byPhase.set(p.phase, (byPhase.get(p.phase) ?? 0) + p.seconds);
console.log(`${ROWS} rows x ${D} pixel columns + site + label; ${cpus()[0]?.model ?? "?"} x${cpus().length}; load average before ${loadavg()[0]!.toFixed(1)}`);
console.log("phase                                   | seconds | share");
for (const [k, v] of [...byPhase.entries()].sort((a, b) => b[1] - a[1])) console.log(`${k.padEnd(39)} | ${v.toFixed(1).padStart(7)} | ${((100 * v) / total).toFixed(0).padStart(4)}%`);
console.log(`total ${total.toFixed(1)} s (goal < 300 s); CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`);
const counts = Object.fromEntries(report.issues.map((i) => [i.type, i.count]));
console.log(`findings: ${JSON.stringify(counts)}; out-of-fold accuracy ${report.model?.outOfFoldAccuracy}`);
mkdirSync(join(here, "out"), { recursive: true });
writeFileSync(join(here, "out", "audit-speed.json"), JSON.stringify({ date: new Date().toISOString(), rows: ROWS, total, cpuSeconds: (cpu.user + cpu.system) / 1e6, phases: Object.fromEntries(byPhase), findings: counts, outOfFoldAccuracy: report.model?.outOfFoldAccuracy }, null, 2) + "\n");
