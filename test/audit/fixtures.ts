/** Small seeded synthetic data sets with planted problems, written to temp dirs. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function rand(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

export function tmp(prefix = "enough-audit-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface Planted {
  duplicates: number[];
  leakage: number[];
  conflicting: number[];
  missing: number[];
  outliers: number[];
  mixed: number[];
  variants: number[];
  outOfRange: number[];
  pii: number[];
}

/**
 * A 3-class problem on numeric features a..d, a categorical 'city' with spelling variants, a group column 'site'
 * (site C is harder: its labels are noisier), and planted problems at known row ids (0-based data rows).
 * clean=true plants nothing.
 */
export function writeTabular(dir: string, opts: { rows?: number; clean?: boolean; seed?: number } = {}): { file: string; planted: Planted } {
  const n = opts.rows ?? 600;
  const r = rand(opts.seed ?? 7);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const cities = ["Paris", "Berlin", "Madrid", "Rome"];
  const lines = ["a,b,c,d,age,city,site,note,label"];
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) {
    const [a, b, c, d] = [gauss(), gauss(), gauss(), gauss()];
    const site = i % 10 < 6 ? "A" : i % 10 < 9 ? "B" : "C";
    const z = 1.5 * a + b - c + (site === "C" ? 1.5 * gauss() : 0.2 * gauss());
    const label = z < -0.7 ? "x" : z < 0.7 ? "y" : "z";
    const age = String(20 + Math.floor(r() * 50));
    rows.push([a.toFixed(4), b.toFixed(4), c.toFixed(4), d.toFixed(4), age, cities[i % 4]!, site, ["ok", "fine", "late", "early"][Math.floor(r() * 4)]!, label]);
  }
  const planted: Planted = { duplicates: [], leakage: [], conflicting: [], missing: [], outliers: [], mixed: [], variants: [], outOfRange: [], pii: [] };
  if (!opts.clean) {
    // exact duplicates: rows 101..104 copy rows 1..4
    for (let k = 1; k <= 4; k++) {
      rows[100 + k] = rows[k]!.slice();
      planted.duplicates.push(100 + k);
    }
    // conflicting: row 201 has row 200's features with another label
    rows[201] = rows[200]!.slice();
    rows[201]![8] = rows[200]![8] === "x" ? "z" : "x";
    planted.conflicting.push(200, 201);
    // missing
    for (const k of [10, 11, 12]) {
      rows[k]![1] = "";
      planted.missing.push(k);
    }
    // outliers: far away in feature space
    for (const k of [300, 301]) {
      rows[k]![0] = "40.0";
      rows[k]![2] = "-35.0";
      planted.outliers.push(k);
    }
    // mixed type in 'age' and an impossible age
    rows[310]![4] = "thirty";
    planted.mixed.push(310);
    rows[311]![4] = "-4";
    rows[312]![4] = "212";
    planted.outOfRange.push(311, 312);
    // spelling variants of Paris
    rows[320]![5] = "paris ";
    rows[321]![5] = "PARIS";
    rows[322]![5] = "Pariss";
    planted.variants.push(320, 321, 322);
    // PII in the note column
    rows[330]![7] = "mail me at jane.doe@example.com";
    rows[331]![7] = "card 4111 1111 1111 1111 thanks";
    rows[332]![7] = "IBAN GB82 WEST 1234 5698 7654 32";
    rows[333]![7] = "ssn 123-45-6789";
    rows[334]![7] = "from 192.168.10.42";
    rows[335]![7] = "call +44 20 7946 0958";
    planted.pii.push(330, 331, 332, 333, 334, 335);
  }
  for (const row of rows) lines.push(row.map((c) => (/[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(","));
  const file = join(dir, opts.clean ? "clean.csv" : "data.csv");
  writeFileSync(file, lines.join("\n") + "\n");
  return { file, planted };
}
