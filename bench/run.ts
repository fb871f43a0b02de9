/**
 * `npm run bench [-- name ...]`: runs every benchmark script bench/<name>.bench.ts (or only the named ones),
 * one at a time so they do not share the cores, each in its own process. Each script prints its own table and
 * writes its figures to bench/out/<name>.json.
 */
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const all = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .map((f) => f.replace(/\.bench\.ts$/, ""))
  .sort();
const chosen = wanted.length ? all.filter((b) => wanted.includes(b)) : all;
if (wanted.length && chosen.length !== wanted.length) {
  console.error(`unknown benchmark(s): ${wanted.filter((w) => !all.includes(w)).join(", ")}; have: ${all.join(", ")}`);
  process.exit(2);
}
let failed = 0;
for (const name of chosen) {
  console.log(`\n=== bench: ${name}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", join(here, `${name}.bench.ts`)], { stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${name} failed (exit ${r.status})`);
  }
}
process.exit(failed ? 1 : 0);
