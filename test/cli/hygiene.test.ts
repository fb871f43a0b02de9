// Terminal and pipe hygiene (issue 11.7): what comes from the user's files cannot drive the terminal, a closed
// pipe ends the process quietly, and a mistyped flag is a user error (exit 2).
import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonText, terminalSafe } from "../../src/cli/output.js";
import { cli, tsx } from "./fixtures/env.js";

const ESC = "\u001b";
const run = (args: string[], cwd: string) => spawnSync(process.execPath, ["--import", tsx, cli, ...args], { cwd, encoding: "utf8", timeout: 60_000 });

function hostileCsv(dir: string): string {
  const f = join(dir, "hostile.csv");
  const lines = [`a${ESC}[2J,b\u0007X,label`];
  for (let i = 0; i < 60; i++) lines.push(`${i % 7},${i % 2 ? `red${ESC}[31m` : "blue\u009b"},${i % 3 ? "p" : "q"}`);
  writeFileSync(f, lines.join("\n") + "\n");
  return f;
}

describe("control characters", () => {
  it("are escaped in plain text and in JSON, which still parses to the same value", () => {
    expect(terminalSafe(`a${ESC}[2Jb\r\n\tc\u202e`)).toBe("a\\u001b[2Jb\\u000d\n\tc\\u202e");
    const s = jsonText({ k: `x\u009by\u007f` });
    expect(s).not.toMatch(/[\u007f-\u009f]/);
    expect(JSON.parse(s)).toEqual({ k: `x\u009by\u007f` });
  });

  it("in column names and values never reach the terminal raw (inspect, audit)", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-hyg-"));
    const f = hostileCsv(dir);
    for (const args of [["inspect", "--data", f, "--target", "label"], ["inspect", "--data", f, "--target", "label", "--json"], ["audit", "--data", f, "--target", "label", "--no-model"]]) {
      const r = run([...args, "--cache-root", join(dir, "cache")], dir);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      if (args[0] === "inspect") expect(r.stdout).toContain("\\u001b[2J"); // inspect lists every column by name
    }
  }, 120_000);
});

describe("pipes and flags", () => {
  it("a reader that closes the pipe early (`| head`) ends the process quietly with exit 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-pipe-"));
    const f = hostileCsv(dir);
    const child = spawn(process.execPath, ["--import", tsx, cli, "inspect", "--data", f, "--target", "label", "--cache-root", join(dir, "cache")], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    // Close our end before the CLI has written anything: its first write to stdout then fails with EPIPE.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((res) => child.on("close", (c) => res(c)));
    expect(stderr).not.toMatch(/EPIPE|Error|at .*\.js/);
    expect(code).toBe(0);
  }, 60_000);

  it("a mistyped flag exits 2 (a user error) and names the flag; --help exits 0", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-flag-"));
    const r = run(["inspect", "--data", "x.csv", "--traget", "y"], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--traget'/);
    expect(run(["inspect", "--help"], dir).status).toBe(0);
    expect(run(["inspect"], dir).status).toBe(2); // a required option missing
  }, 60_000);

  it("a file that loses most of its lines to an unclosed quote exits 2 naming the line; --allow-bad-rows goes on", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-bad-"));
    const f = join(dir, "swallow.csv");
    writeFileSync(f, "a,y\n" + Array.from({ length: 200 }, (_, i) => (i === 9 ? `${i},"open` : `${i % 7},${i % 2 ? "p" : "q"}`)).join("\n") + "\n");
    const r = run(["inspect", "--data", f, "--target", "y", "--cache-root", join(dir, "cache")], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error \[BAD_ROWS\]: .*the first on line 11/);
    expect(r.stderr).toMatch(/--allow-bad-rows/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    const ok = run(["inspect", "--data", f, "--target", "y", "--allow-bad-rows", "--cache-root", join(dir, "cache")], dir);
    expect(ok.status, ok.stderr).toBe(0);
  }, 60_000);
});
