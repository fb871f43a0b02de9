/**
 * `enough info`: what the engine runs on and the speed choices made for this machine (machine.ts): the CPU and the
 * instruction set the engine may use, OpenBLAS's kernels, the convolution layout, threads, each with why.
 */
import type { Command } from "commander";
import { engineInfo, machineChoices, type Choice } from "../../engine/index.js";
import { jsonText, writeOut } from "../output.js";

export function register(program: Command): void {
  program
    .command("info")
    .description("show the engine (libtorch, BLAS, threads) and the speed choices made for this machine, and why")
    .option("--json", "print one JSON object")
    .action(async (opts: { json?: boolean }) => {
      const out = await runInfo();
      writeOut(opts.json ? jsonText(out.json) : out.text);
    });
}

/** Runs the command and returns what it prints, so tests can call it in-process. */
export async function runInfo(): Promise<{ text: string; json: Record<string, unknown> }> {
  const engine = engineInfo();
  const m = await machineChoices();
  const why = <T>(c: Choice<T> | undefined, show: (v: T) => string) =>
    c ? `${show(c.value)}: ${c.why}${c.measured ? ` (${Object.entries(c.measured).map(([k, v]) => `${k} ${v}`).join(", ")})` : ""}` : "not decided yet";
  const lines = [
    `CPU:          ${m.cpu.model} (${m.cpu.vendor}, ${m.cpu.hardwareIsa.toUpperCase()}${m.cpu.restriction ? `; engine limited to ${m.cpu.isa.toUpperCase()} by ${m.cpu.restriction}` : ""})`,
    `libtorch:     ${engine.torchVersion}${engine.cuda ? " with CUDA" : ", CPU only"}; oneDNN ${engine.mkldnn ? "on" : "off"}`,
    `BLAS:         ${engine.blas}, ${engine.blasThreads} thread${engine.blasThreads === 1 ? "" : "s"}`,
    `BLAS kernels: ${why(m.blasCoreType, (v) => v ?? "detected by OpenBLAS")}`,
    `conv layout:  ${why(m.channelsLast, (v) => (v ? "channels-last" : "NCHW"))}`,
    `threads:      ${engine.threads} per training now (cores free of other processes; ENOUGH_THREADS fixes it), OMP_WAIT_POLICY=${engine.ompWaitPolicy}`,
    `choices kept: ${m.cacheFile}`,
  ];
  return { text: lines.join("\n") + "\n", json: { engine, machine: m } };
}
