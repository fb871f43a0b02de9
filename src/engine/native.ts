/**
 * Loads the native addon (native/build/Release/enough_native.node) once, after fixing the thread environment, and
 * maps its errors onto EnoughError classes.
 *
 * Thread defaults (measured on the 2-core reference machine; see bench/engine.bench.ts and the engine report):
 * - OMP_WAIT_POLICY=PASSIVE: libgomp's spinning workers collapse throughput 10-50x when another process holds a
 *   core; passive waiting costs little on an idle machine. libgomp reads it once when it loads, so it must be in the
 *   environment before the addon (and with it libtorch and libgomp) is loaded.
 * - OPENBLAS_NUM_THREADS=1: OpenBLAS's own pthread pool spins after each call and fights torch's OpenMP pool
 *   (an MLP fell from ~100k to ~20k samples/s with both at 2). With one BLAS thread, gemm runs on the calling thread.
 * - OPENBLAS_CORETYPE per machine (machine.ts: from the CPU, measured where that does not settle it): Debian's
 *   DYNAMIC_ARCH OpenBLAS 0.3.21 does not know newer Xeons and falls back to its SSE3 "Prescott" kernels, which made
 *   gemm (and the MLP) 2.5x slower here. It too is read when the library loads.
 * - torch intra-op threads: chosen per call by threads.ts (free cores, adapting to other processes' load), or
 *   ENOUGH_THREADS, or recipe.threads.
 * Each is only a default: a value the user already set in the environment wins.
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CancelledError,
  EnoughError,
  EnvironmentError,
  InputError,
  SpecError,
  TrainingError,
} from "../errors.js";
import { chooseBlasCoreType, cpuProfile, type Choice } from "./machine.js";
import { chooseThreads } from "./threads.js";

/** The raw addon surface (internal; use the typed API in index.ts). */
export interface NativeModel {
  predict(data: object, rows: Int32Array | null, threads: number): Promise<Float32Array>;
  embed(data: object, rows: Int32Array | null, threads: number): Promise<{ dim: number; values: Float32Array }>;
  /** With keepPredictions, also the pass's probabilities (n x classes) or predicted values (n). */
  evaluate(data: object, rows: Int32Array | null, threads: number, keepPredictions?: boolean): Promise<{ loss: number; accuracy?: number; mse?: number; r2?: number; n: number; predictions?: Float32Array }>;
  saveWeights(path: string): Promise<void>;
  loadWeights(path: string): Promise<void>;
  info(): { paramCount: number; featureDim: number; yMean: number; yStd: number; channelsLast: boolean };
  dispose(): void;
}

export interface NativeAddon {
  train(
    spec: object,
    data: object,
    train: Int32Array | null,
    valid: Int32Array | null,
    recipe: object,
    onEpoch: ((e: unknown) => void) | null,
    cancel: Int32Array,
    unlabeled?: object | null,
    unlabeledRows?: Int32Array | null,
  ): Promise<{ model: NativeModel; result: unknown }>;
  pretext(spec: object, data: object, rows: Int32Array | null, recipe: object, pretext: object, onEpoch: ((e: unknown) => void) | null, cancel: Int32Array): Promise<{ model: NativeModel; result: unknown }>;
  createModel(spec: object, meta: object): NativeModel;
  /** Active learning (acquire.cc): the k rows of `pool` not in `labelled` the strategy ranks first, in pick order. */
  acquire(model: NativeModel, data: object, pool: Int32Array, labelled: Int32Array | null, opts: { strategy: string; k: number; seed: number; mcSamples: number; threads: number }): Promise<{ rows: Int32Array; scores: Float32Array }>;
  info(): { torchVersion: string; cuda: boolean; threads: number; blas: string; blasThreads: number; parallel: string; mkldnn: boolean };
  setThreads(n: number): void;
  setBlasThreads(n: number): boolean;
  /** The synthetic-data lever's generator and copy check (native/src/generative.cc); see generative.ts. */
  trainCvae(x: Float32Array, y: Int32Array, numClasses: number, d: number, sampleY: Int32Array, options: object): Promise<{ samples: Float32Array; epochs: number; steps: number; loss: number; reconstruction: number; kl: number; seconds: number }>;
  nearest(o: object): Promise<{ k: number; index: Int32Array; score: Float32Array }>;
  gemmRate(m: number, k: number, n: number, seconds: number): number;
}

let addon: NativeAddon | undefined;
let blasChoice: { choice: Choice<string | null>; cacheFile: string } | undefined;

/** The OpenBLAS core type chosen when the addon loaded, and the machine's cache file (see machine.ts). */
export function blasCoreTypeChoice(): { choice: Choice<string | null>; cacheFile: string } {
  loadAddon();
  return blasChoice!;
}

function findAddon(): string | undefined {
  if (process.env.ENOUGH_NATIVE) return resolve(process.env.ENOUGH_NATIVE);
  // Walk up from this module (src/engine or dist/engine) to the package root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, "native", "build", "Release", "enough_native.node");
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  return undefined;
}

/** Intra-op threads for a call that does not name them (see threads.ts). */
export function engineDefaultThreads(): number {
  return chooseThreads();
}

export function loadAddon(): NativeAddon {
  if (addon) return addon;
  process.env.OMP_WAIT_POLICY ??= "PASSIVE";
  const blasFromUser = process.env.OPENBLAS_NUM_THREADS !== undefined;
  process.env.OPENBLAS_NUM_THREADS ??= "1";
  const path = findAddon();
  const { choice, cacheFile } = chooseBlasCoreType(cpuProfile(), path);
  blasChoice = { choice, cacheFile };
  if (process.env.OPENBLAS_CORETYPE === undefined && choice.value !== null) process.env.OPENBLAS_CORETYPE = choice.value;
  if (!path) {
    throw new EnvironmentError("NATIVE_MISSING", "the native engine is not built (native/build/Release/enough_native.node)", {
      hint: "run `npm run build:native` (needs libtorch: `apt-get install libtorch-dev libopenblas0-pthread`, or set LIBTORCH)",
    });
  }
  try {
    addon = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (e) {
    throw new EnvironmentError("NATIVE_LOAD", `cannot load the native engine ${path}: ${(e as Error).message}`, {
      hint: "rebuild it with `npm run build:native`; check that libtorch's shared libraries are installed",
      cause: e,
    });
  }
  // If OpenBLAS was already loaded (by another addon) the variable came too late: set it directly as well.
  if (!blasFromUser) addon.setBlasThreads(1);
  addon.setThreads(chooseThreads());
  return addon;
}

/** Turns an addon error (an Error with `kind`) into the matching EnoughError; passes anything else through. */
export function mapNativeError(e: unknown): unknown {
  if (e instanceof EnoughError || !(e instanceof Error)) return e;
  const kind = (e as Error & { kind?: string }).kind;
  const msg = e.message;
  switch (kind) {
    case "input":
      return new InputError("ENGINE_INPUT", msg, { cause: e });
    case "spec":
      return new SpecError("SPEC_INVALID", msg, { cause: e });
    case "cancelled":
      return new CancelledError(msg);
    case "environment":
      return new EnvironmentError(msg.includes("cuda") ? "NO_CUDA" : "ENGINE_ENVIRONMENT", msg, { cause: e });
    case "training":
      return msg.startsWith("loss diverged")
        ? new TrainingError("LOSS_DIVERGED", msg, { hint: "lower the learning rate (recipe.lr)", cause: e })
        : new TrainingError("TRAINING_FAILED", msg, { cause: e });
    default:
      return e;
  }
}

/** Awaits a native promise, mapping its errors. */
export async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw mapNativeError(e);
  }
}
