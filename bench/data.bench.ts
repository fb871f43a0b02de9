/**
 * Data-layer scale benchmark (`npm run bench -- data`): a generated 1,000,000-row × 50-column CSV (id, 30 numeric
 * with ~2% missing, 15 low-cardinality and 3 high-cardinality categorical columns, a binary label) is parsed,
 * encoded and cached; then loaded again from the cache. Goals: first load < 60 s on 2 cores with peak RSS < 4 GB,
 * second load < 2 s. ROWS=… overrides the row count. Writes bench/out/data.json.
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDataset, loadCachedDataset } from "../src/data/index.js";
import { mulberry32 } from "../src/rng.js";

const ROWS = Number(process.env.ROWS ?? 1_000_000);

async function generate(path: string, rows: number): Promise<void> {
  const ws = createWriteStream(path);
  const cols = ["id", ...Array.from({ length: 30 }, (_, j) => `num${j}`), ...Array.from({ length: 15 }, (_, j) => `cat${j}`), "hicat0", "hicat1", "hicat2", "label"];
  ws.write(cols.join(",") + "\n");
  const rnd = mulberry32(12345);
  let buf: string[] = [];
  for (let i = 0; i < rows; i++) {
    const f: string[] = [String(i)];
    let score = 0;
    for (let j = 0; j < 30; j++) {
      const v = rnd() * 10 - 5;
      if (j < 3) score += v;
      f.push(rnd() < 0.02 ? "" : v.toFixed(3));
    }
    for (let j = 0; j < 15; j++) f.push(rnd() < 0.01 ? "NA" : "c" + Math.floor(rnd() * (3 + j)));
    for (let j = 0; j < 3; j++) f.push("h" + Math.floor(rnd() * 5000 * (j + 1)));
    f.push(score > 0 ? "yes" : "no");
    buf.push(f.join(","));
    if (buf.length === 10_000) {
      if (!ws.write(buf.join("\n") + "\n")) await new Promise<void>((r) => ws.once("drain", () => r()));
      buf = [];
    }
  }
  if (buf.length) ws.write(buf.join("\n") + "\n");
  await new Promise<void>((r) => ws.end(() => r()));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "enough-bench-data-"));
  try {
    const csv = join(dir, "big.csv");
    const cacheRoot = join(dir, "cache");
    const load0 = loadavg()[0]!;
    let t = performance.now();
    await generate(csv, ROWS);
    const genS = (performance.now() - t) / 1000;
    const bytes = statSync(csv).size;
    console.log(`generated ${ROWS} rows × 50 columns, ${(bytes / 1e6).toFixed(0)} MB in ${genS.toFixed(1)} s`);

    const phases: Record<string, number> = {};
    let last = performance.now();
    let lastPhase = "start";
    t = performance.now();
    const cpu0 = process.cpuUsage();
    const ds = await loadDataset({
      source: csv,
      target: "label",
      cacheRoot,
      onProgress: (e) => {
        const now = performance.now();
        phases[lastPhase] = (phases[lastPhase] ?? 0) + (now - last) / 1000;
        last = now;
        lastPhase = e.phase;
      },
    });
    const firstS = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const peakRssMB = process.resourceUsage().maxRSS / 1024;
    console.log(`first load (parse + encode + cache): ${firstS.toFixed(1)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, peak RSS ${peakRssMB.toFixed(0)} MB`);
    console.log(`  phases: ${Object.entries(phases).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(", ")}`);
    console.log(`  x ${ds.tensors.xKind} [${ds.tensors.n}, ${ds.tensors.xShape.join(", ")}], cat [${ds.tensors.catCardinalities?.join(", ")}], pool ${ds.split.pool.length}, test ${ds.split.test.length}`);

    t = performance.now();
    const again = await loadDataset({ source: csv, target: "label", cacheRoot });
    const secondS = (performance.now() - t) / 1000;
    if (!again.fromCache) throw new Error("second load did not come from the cache");
    t = performance.now();
    await loadCachedDataset(again.cacheDir!);
    const cachedS = (performance.now() - t) / 1000;
    console.log(`second load (loadDataset, from cache): ${secondS.toFixed(2)} s; loadCachedDataset: ${cachedS.toFixed(2)} s`);

    const out = {
      rows: ROWS,
      columns: 50,
      csvMB: Math.round(bytes / 1e6),
      firstLoadSeconds: +firstS.toFixed(2),
      firstLoadCpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
      phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, +v.toFixed(2)])),
      peakRssMB: Math.round(peakRssMB),
      secondLoadSeconds: +secondS.toFixed(3),
      loadCachedSeconds: +cachedS.toFixed(3),
      goals: { firstLoadSeconds: 60, peakRssMB: 4096, secondLoadSeconds: 2 },
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadAverageAtStart: +load0.toFixed(2), node: process.version },
      date: new Date().toISOString(),
    };
    const outDir = join(dirname(fileURLToPath(import.meta.url)), "out");
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, "data.json"), JSON.stringify(out, null, 2) + "\n");
    console.log(`wrote bench/out/data.json (load average at start ${load0.toFixed(1)} on ${cpus().length} cores: shared machines give noisy figures)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
