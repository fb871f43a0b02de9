/**
 * `enough studies list|show|report|export|delete`: the studies in a store, read back without training anything.
 * `report` re-renders a study's report files from the store (src/server/reports.ts); `export` writes every Run with
 * its inputs and scores; `delete` removes a study and the Runs no other study uses.
 */
import type { Command } from "commander";
import { existsSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { join, resolve } from "node:path";
import { InputError } from "../../errors.js";
import { resultOf, writeStoredReport } from "../../server/reports.js";
import { studyRows, studyView } from "../../server/views.js";
import { Store } from "../../study/store.js";
import { exportRows, readStudy, type ExportRow } from "../../study/stored.js";
import { int } from "../../format.js";
import { writeJson } from "../format.js";
import { writeOut } from "../output.js";

interface StoreOpt {
  store: string;
  json?: boolean;
}

export function register(program: Command): void {
  const cmd = program.command("studies").description("list, show, re-render, export or delete the studies in a store");
  const withStore = (c: Command) => c.option("--store <path>", "the SQLite store of Runs", ".enough/enough.db");
  withStore(cmd.command("list").description("every study: kind, data, model, target, status, answer, Runs"))
    .option("--json", "print one JSON object")
    .action((o: StoreOpt) => withOpenStore(o.store, (store) => list(store, o)));
  withStore(cmd.command("show <id>").description("one study: its question, answer and Runs"))
    .option("--json", "print one JSON object")
    .action((id: string, o: StoreOpt) => withOpenStore(o.store, (store) => show(store, id, o)));
  withStore(cmd.command("report <id>").description("write the study's report.json/md/html again from the store (an estimate that did not finish is fitted from its Runs)"))
    .option("--out <dir>", "report folder (default .enough/reports/<study>)")
    .action((id: string, o: StoreOpt & { out?: string }) => withOpenStore(o.store, async (store) => {
      const paths = await writeStoredReport(readStudy(store, id), resolve(o.out ?? join(".enough", "reports", id)));
      writeOut(`report: ${paths.html}\n        ${paths.md}\n        ${paths.json}\n`);
    }));
  withStore(cmd.command("export <id>").description("every Run of the study with its inputs and scores"))
    .option("--format <csv|json>", "csv (one row per Run, inputs as JSON cells) or json", "csv")
    .option("--output <file>", "write to this file instead of stdout")
    .action((id: string, o: StoreOpt & { format: string; output?: string }) => withOpenStore(o.store, (store) => {
      if (o.format !== "csv" && o.format !== "json") throw new InputError("BAD_FORMAT", `--format must be csv or json, got "${o.format}"`);
      const rows = exportRows(readStudy(store, id));
      const text = o.format === "csv" ? toCsv(rows) : JSON.stringify(rows, null, 2) + "\n";
      if (o.output) writeFileSync(o.output, text);
      else writeOut(text);
    }));
  withStore(cmd.command("delete <id>").description("delete a study and the Runs no other study uses (asks first)"))
    .option("--yes", "do not ask")
    .action((id: string, o: StoreOpt & { yes?: boolean }) => withOpenStore(o.store, async (store) => {
      const s = readStudy(store, id);
      if (!o.yes) {
        if (!process.stdin.isTTY) throw new InputError("CONFIRM_NEEDED", `deleting ${id} needs a yes`, { hint: "add --yes to delete without asking" });
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        const answer = await rl.question(`delete the ${s.record.kind} study ${id} (${s.runs.length} Runs linked; Runs other studies use stay)? [y/N] `);
        rl.close();
        if (!/^y(es)?$/i.test(answer.trim())) {
          writeOut("not deleted\n");
          return;
        }
      }
      const { deleted, kept } = store.deleteStudy(id);
      writeOut(`deleted study ${id}: ${deleted} Run${deleted === 1 ? "" : "s"} removed, ${kept} kept (used by other studies or still running)\n`);
    }));
}

async function withOpenStore(path: string, f: (store: Store) => void | Promise<void>): Promise<void> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new InputError("NO_STORE", `there is no store at ${abs}`, { hint: "point --store at the file your studies wrote (default .enough/enough.db)" });
  const store = Store.open(abs);
  try {
    await f(store);
  } finally {
    store.close();
  }
}

function list(store: Store, o: StoreOpt): void {
  const rows = studyRows(store);
  if (o.json) return writeJson({ store: store.path, studies: rows });
  if (!rows.length) return writeOut(`no study in ${store.path}\n`);
  for (const r of rows) {
    const runs = `${int(r.runsDone)}${r.runsPlanned === null ? "" : `/${int(r.runsPlanned)}`} Runs${r.runsFailed ? `, ${r.runsFailed} failed` : ""}${r.runsRunning ? `, ${r.runsRunning} running` : ""}`;
    writeOut(`${r.id}  ${r.kind.padEnd(10)} ${r.status.padEnd(10)} ${r.created.slice(0, 16).replace("T", " ")}  ${runs}\n`);
    writeOut(`    ${r.data}${r.model ? ` · ${r.model}` : ""}${r.target ? ` · target ${r.target}` : ""}\n`);
    if (r.answer) writeOut(`    ${r.answer}\n`);
  }
}

function show(store: Store, id: string, o: StoreOpt): void {
  const s = readStudy(store, id);
  const counts = store.studyCounts().find((c) => c.id === id)!;
  const v = studyView(s, counts);
  if (o.json) return writeJson({ ...v, charts: undefined, result: resultOf(s)?.result ?? null });
  writeOut(`${v.kind} study ${v.id}: ${v.status}\n  data ${v.data}\n  model ${v.model}\n`);
  if (v.target) writeOut(`  target ${v.target}\n`);
  writeOut(`  started ${v.created}, last change ${v.updated}\n`);
  if (v.headline) writeOut(`\n${v.partial ? "(so far) " : ""}${v.headline}\n${v.findings.map((f) => `  - ${f}\n`).join("")}`);
  if (v.note) writeOut(`\n${v.note}\n`);
  for (const t of v.tables) {
    writeOut(`\n${t.title}:\n`);
    for (const r of t.rows) writeOut(`  ${Object.values(r).join(" · ")}\n`);
  }
  writeOut(`\nRuns (${v.runs.length}):\n`);
  for (const r of v.runs) {
    writeOut(`  ${r.status.padEnd(8)} n=${int(r.size).padStart(7)} seed ${r.seed}  ${r.seconds === null ? "     –" : `${r.seconds.toFixed(1).padStart(6)} s`}  ${r.score === null ? "–" : r.score.toFixed(4)}  ${r.worker}  ${r.reason}\n`);
  }
}

const INPUT_COLUMNS = ["fingerprint", "spec", "recipe", "validFraction", "engineVersion", "protocol"] as const;

/** One row per Run; score columns are the union over the Runs; nested inputs are JSON cells. */
export function toCsv(rows: ExportRow[]): string {
  const scoreCols = [...new Set(rows.flatMap((r) => Object.keys(r.scores)))].sort();
  const fixed = ["id", "status", "reason", "size", "seed", "attempts", "worker", "started", "finished", "seconds", "totalSeconds", "epochs", "paramCount", "error"] as const;
  const header = [...fixed, ...scoreCols, ...INPUT_COLUMNS];
  const lines = rows.map((r) => [
    ...fixed.map((k) => r[k]),
    ...scoreCols.map((k) => r.scores[k]),
    ...INPUT_COLUMNS.map((k) => (typeof r.inputs[k] === "object" ? JSON.stringify(r.inputs[k]) : r.inputs[k])),
  ]);
  return [header, ...lines].map((l) => l.map(csvCell).join(",")).join("\n") + "\n";
}

/** RFC 4180 quoting (hand-written: four lines do not justify a dependency). */
function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
