/**
 * The dependency picture of src/: imports point down the layers only, and no files import each other in a circle.
 * Read with the TypeScript compiler's own pre-processor (static, type-only and dynamic imports alike), so a
 * `import type` or an `await import()` that points upward counts too: both tie the lower layer to the upper one.
 */
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const SRC = resolve(import.meta.dirname, "../src");

/** Higher layers may import lower ones and their own; never the reverse. */
const LAYERS: [rank: number, prefixes: string[]][] = [
  [5, ["index.ts", "cli/"]],
  // The dashboard's server: reads studies from the store and draws the report's chart specs; only the CLI starts it.
  [4.5, ["server/"]],
  // The audit renders its own report with report/'s HTML and SVG helpers, so it sits beside report, above study.
  [4, ["report/", "audit/"]],
  [3, ["study/", "strategies/"]],
  [2, ["engine/", "data/", "curves/", "cost/"]],
  [1, ["rng.ts", "stats.ts", "errors.ts", "format.ts", "pii.ts", "concurrency.ts"]],
];

function rankOf(file: string): number {
  for (const [rank, prefixes] of LAYERS) if (prefixes.some((p) => file === p || file.startsWith(p))) return rank;
  throw new Error(`${file} is in no layer: add its folder to LAYERS in test/layers.test.ts`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** file (relative to src/) -> the src/ files it imports. */
export function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const abs of sourceFiles(SRC)) {
    const info = ts.preProcessFile(readFileSync(abs, "utf8"), true, true);
    const targets = info.importedFiles
      .map((f) => f.fileName)
      .filter((s) => s.startsWith("."))
      .map((s) => relative(SRC, resolve(dirname(abs), s.replace(/\.js$/, ".ts"))))
      .filter((t) => !t.startsWith("..")); // package.json and the like
    graph.set(relative(SRC, abs), [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components with more than one file (or a file importing itself): Tarjan's algorithm. */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe("the layers of src/", () => {
  const graph = importGraph();

  it("finds the files and their imports", () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get("index.ts")!.length).toBeGreaterThan(3);
  });

  it("has no import from a lower layer to a higher one", () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      for (const t of targets) if (rankOf(t) > rankOf(file)) upward.push(`${file} -> ${t}`);
    }
    expect(upward).toEqual([]);
  });

  it("has no circle of imports", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("catches an upward import and a circle (the checks themselves work)", () => {
    const bad = new Map([
      ["study/a.ts", ["report/b.ts"]],
      ["report/b.ts", ["study/a.ts"]],
    ]);
    expect(rankOf("report/b.ts")).toBeGreaterThan(rankOf("study/a.ts"));
    expect(cycles(bad)).toEqual([["report/b.ts", "study/a.ts"]]);
  });
});
