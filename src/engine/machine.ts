/**
 * Speed choices per machine: which OpenBLAS kernels and which convolution memory layout run fastest differ by CPU
 * (measured: channels-last trained the benchmark CNN 1.8x faster than NCHW on an AVX-512 Xeon but 0.83x as fast on an
 * AVX2-only EPYC; Debian's DYNAMIC_ARCH OpenBLAS 0.3.21 picks its SSE3 kernels on CPUs newer than it knows). Each
 * choice is decided from the CPU (vendor, instruction set, and any restriction the environment puts on oneDNN or
 * ATen) where the answer is known, and otherwise measured once by a short calibration and cached per machine and
 * engine build, so every process on the machine (workers included) makes the same choice. `enough info` shows the
 * choices and why. ENOUGH_CALIBRATE=0 keeps to the rules (no measurement); a value the user sets (OPENBLAS_CORETYPE,
 * spec.channelsLast) always wins.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export type Isa = "avx512" | "avx2" | "baseline";

export interface CpuProfile {
  vendor: "intel" | "amd" | "other";
  model: string;
  /** What the hardware offers. */
  hardwareIsa: Isa;
  /** What the engine may use: the hardware's, lowered by DNNL_MAX_CPU_ISA / ATEN_CPU_CAPABILITY when set. */
  isa: Isa;
  /** The environment's restriction, when there is one ("DNNL_MAX_CPU_ISA=AVX2"). */
  restriction: string | null;
}

export interface Choice<T> {
  value: T;
  /** Plain words: the rule, the measurement, or the user's setting. */
  why: string;
  /** Throughput per candidate when it was measured (higher is faster). */
  measured?: Record<string, number>;
}

export interface MachineChoices {
  cpu: CpuProfile;
  /** OPENBLAS_CORETYPE (null: OpenBLAS detects the CPU itself). */
  blasCoreType: Choice<string | null>;
  /** The cnn/resnet layout when a spec does not set channelsLast (undefined until a convolution model trains). */
  channelsLast?: Choice<boolean>;
  /** Where the measured choices are kept. */
  cacheFile: string;
}

const ISA_RANK: Record<Isa, number> = { baseline: 0, avx2: 1, avx512: 2 };
const AVX512 = ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"];

/** The CPU from /proc/cpuinfo (x86 Linux; elsewhere vendor "other", ISA baseline) and the environment's restriction. */
export function cpuProfile(env: NodeJS.ProcessEnv = process.env, cpuinfo?: string): CpuProfile {
  let text = cpuinfo ?? "";
  if (cpuinfo === undefined && process.arch === "x64") {
    try {
      text = readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      /* not Linux */
    }
  }
  const field = (k: string) => text.match(new RegExp(`^${k}\\s*:(.*)$`, "m"))?.[1]?.trim() ?? "";
  const flags = new Set(field("flags").split(/\s+/));
  const vendorId = field("vendor_id");
  const vendor = vendorId === "GenuineIntel" ? "intel" : vendorId === "AuthenticAMD" ? "amd" : "other";
  const hardwareIsa: Isa = AVX512.every((f) => flags.has(f)) ? "avx512" : flags.has("avx2") && flags.has("fma") ? "avx2" : "baseline";
  let isa = hardwareIsa;
  let restriction: string | null = null;
  const lower = (to: Isa, what: string) => {
    if (ISA_RANK[to] < ISA_RANK[isa]) {
      isa = to;
      restriction = what;
    }
  };
  const dnnl = (env.DNNL_MAX_CPU_ISA ?? env.ONEDNN_MAX_CPU_ISA ?? "").toUpperCase();
  if (dnnl && dnnl !== "ALL") lower(dnnl.startsWith("AVX512") ? "avx512" : dnnl.startsWith("AVX2") ? "avx2" : "baseline", `DNNL_MAX_CPU_ISA=${dnnl}`);
  const aten = (env.ATEN_CPU_CAPABILITY ?? "").toLowerCase();
  if (aten === "avx2" || aten === "default") lower(aten === "avx2" ? "avx2" : "baseline", `ATEN_CPU_CAPABILITY=${aten}`);
  return { vendor, model: field("model name") || "unknown CPU", hardwareIsa, isa, restriction };
}

/**
 * OpenBLAS kernel families worth trying on this CPU, best guess first. One candidate is a rule; more are measured.
 * Intel: SkylakeX with AVX-512, Haswell with AVX2 (what OpenBLAS would pick if it knew the CPU). AMD: OpenBLAS's Zen
 * target and the Intel families differ in blocking, and which wins depends on the generation, so it is measured.
 */
export function blasCandidates(cpu: CpuProfile): string[] {
  if (cpu.isa === "baseline") return [];
  if (cpu.vendor === "intel") return [cpu.isa === "avx512" ? "SkylakeX" : "Haswell"];
  if (cpu.vendor === "amd") return cpu.isa === "avx512" ? ["SkylakeX", "Zen", "Haswell"] : ["Zen", "Haswell"];
  return [];
}

/** The layout rule, when there is one: channels-last on Intel AVX-512 (measured 1.5-1.8x), NCHW below AVX2. */
export function layoutRule(cpu: CpuProfile): Choice<boolean> | undefined {
  if (cpu.isa === "baseline") return { value: false, why: "no AVX2: oneDNN's blocked channels-last kernels need it" };
  if (cpu.vendor === "intel" && cpu.isa === "avx512") return { value: true, why: "Intel with AVX-512: channels-last measured 1.5-1.8x faster training" };
  return undefined;
}

/** Cache key: the CPU, the environment's restriction and the engine build (the addon file's size and time). */
export function machineKey(cpu: CpuProfile, addonPath: string | undefined): string {
  let build = "none";
  if (addonPath && existsSync(addonPath)) {
    const s = statSync(addonPath);
    build = `${s.size}:${Math.round(s.mtimeMs)}`;
  }
  return createHash("sha256").update(JSON.stringify([cpu.vendor, cpu.model, cpu.hardwareIsa, cpu.isa, cpu.restriction, build])).digest("hex").slice(0, 16);
}

export function machineCacheFile(key: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.ENOUGH_MACHINE_CACHE ?? join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "enough");
  return join(dir, `machine-${key}.json`);
}

interface Cached {
  blasCoreType?: Choice<string | null>;
  channelsLast?: Choice<boolean>;
}

function readCache(file: string): Cached {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Cached;
  } catch {
    return {};
  }
}

/** Merges `part` into the cache file (write to a temporary name, then rename: readers never see half a file). */
function writeCache(file: string, part: Cached): void {
  try {
    mkdirSync(join(file, ".."), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ ...readCache(file), ...part }, null, 2));
    renameSync(tmp, file);
  } catch {
    /* a read-only home: the choice holds for this process only */
  }
}

const calibrationOff = (env: NodeJS.ProcessEnv) => env.ENOUGH_CALIBRATE === "0";

/**
 * The OpenBLAS core type, decided before OpenBLAS loads (it reads the variable once). Several candidates: each is
 * timed in a short child process (OpenBLAS cannot switch kernels once loaded) on the MLP's matrix shapes: about a
 * second per candidate (mostly loading libtorch), once per machine.
 */
export function chooseBlasCoreType(cpu: CpuProfile, addonPath: string | undefined, env: NodeJS.ProcessEnv = process.env): { choice: Choice<string | null>; cacheFile: string } {
  const cacheFile = machineCacheFile(machineKey(cpu, addonPath), env);
  if (env.OPENBLAS_CORETYPE !== undefined) return { choice: { value: env.OPENBLAS_CORETYPE, why: "OPENBLAS_CORETYPE set in the environment" }, cacheFile };
  const cands = blasCandidates(cpu);
  if (cands.length === 0) return { choice: { value: null, why: "no known kernel family for this CPU: OpenBLAS detects it" }, cacheFile };
  if (cands.length === 1) return { choice: { value: cands[0]!, why: `${cpu.vendor === "intel" ? "Intel" : "this CPU"} with ${cpu.isa.toUpperCase()}: the ${cands[0]} kernels (Debian's OpenBLAS may not know newer CPUs and fall back to SSE3)` }, cacheFile };
  const cached = readCache(cacheFile).blasCoreType;
  if (cached) return { choice: cached, cacheFile };
  if (calibrationOff(env) || !addonPath) return { choice: { value: cands[0]!, why: `first candidate for ${cpu.vendor} ${cpu.isa} (calibration off)` }, cacheFile };
  const measured: Record<string, number> = {};
  for (const c of cands) {
    const rate = gemmRateIn(addonPath, c, env);
    if (rate !== undefined) measured[c] = rate;
  }
  const best = Object.entries(measured).sort((a, b) => b[1] - a[1])[0];
  const choice: Choice<string | null> = best
    ? { value: best[0], why: `measured fastest of ${cands.join(", ")} on the MLP's matrix products (GFLOP/s)`, measured: roundAll(measured) }
    : { value: cands[0]!, why: `first candidate for ${cpu.vendor} ${cpu.isa} (the calibration could not run)` };
  if (best) writeCache(cacheFile, { blasCoreType: choice });
  return { choice, cacheFile };
}

/** GFLOP/s of float32 matrix products in a child process with the given core type (undefined if it failed). */
function gemmRateIn(addonPath: string, core: string, env: NodeJS.ProcessEnv): number | undefined {
  const script = "const a=require(process.argv[1]);a.setBlasThreads(1);process.stdout.write(String(a.gemmRate(128,784,256,0.3)))";
  const r = spawnSync(process.execPath, ["-e", script, addonPath], {
    env: { ...env, OPENBLAS_CORETYPE: core, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", OMP_WAIT_POLICY: "PASSIVE" },
    encoding: "utf8",
    timeout: 20_000,
  });
  const v = Number(r.stdout);
  return r.status === 0 && Number.isFinite(v) && v > 0 ? v : undefined;
}

const roundAll = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v * 10) / 10]));

const layouts = new Map<string, Promise<Choice<boolean>>>();

/**
 * The convolution layout for specs that leave channelsLast unset: the rule where there is one, else the cache, else
 * a calibration (`measure` trains a small CNN on synthetic images in each layout and returns training samples per CPU-second), kept when
 * one layout is at least 5% faster; else NCHW, which oneDNN handles everywhere.
 */
export function chooseLayout(cpu: CpuProfile, cacheFile: string, measure: (channelsLast: boolean) => Promise<number>, env: NodeJS.ProcessEnv = process.env): Promise<Choice<boolean>> {
  let layout = layouts.get(cacheFile);
  if (layout) return layout;
  layout = (async () => {
    const rule = layoutRule(cpu);
    if (rule) return rule;
    const cached = readCache(cacheFile).channelsLast;
    if (cached) return cached;
    if (calibrationOff(env)) return { value: false, why: "no rule for this CPU and calibration off: NCHW" };
    const rates = { nchw: 0, "channels-last": 0 };
    for (let round = 0; round < 2; round++) {
      rates.nchw = Math.max(rates.nchw, await measure(false));
      rates["channels-last"] = Math.max(rates["channels-last"], await measure(true));
    }
    const value = rates["channels-last"] > 1.05 * rates.nchw;
    const choice: Choice<boolean> = {
      value,
      why: `measured on a small CNN, one thread (samples per CPU-second): ${value ? "channels-last" : "NCHW"}${value || rates.nchw > 1.05 * rates["channels-last"] ? " faster" : " (within 5%: NCHW kept)"}`,
      measured: roundAll(rates),
    };
    writeCache(cacheFile, { channelsLast: choice });
    return choice;
  })();
  layouts.set(cacheFile, layout);
  return layout;
}
