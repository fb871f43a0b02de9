/**
 * What travels in a BullMQ job: a Run's inputs and where its data can be had, nothing else. The job id is the Run
 * id, so a Run is queued once whoever asks for it. A worker reads a job like CLI input: every field checked, the id
 * recomputed from the inputs (a job is what its id says), and nothing that would make a worker load or run a file
 * named by the queue (TorchScript models, transfer weights, artifact paths).
 */
import type { JsonObject, RunError, RunJob, RunResult, SemiJob, WorkerInfo } from "../run.js";
import { runId, runInputs } from "../run.js";

/** Where a worker gets the encoded dataset: by folder name and content hash, from a shared cache or over HTTP. */
export interface DataRef {
  /** The cache folder's name (the fingerprint, or the combined copy's key for --extra Runs). */
  key: string;
  /** sha256 over the folder's files (name, size, sha256 of each), checked before any Run uses them. */
  hash: string;
  /** The coordinator's data endpoint, when it serves one. */
  url?: string;
  /**
   * Bearer token of that endpoint. It travels in the job: whoever can read the queue's Redis is trusted with the
   * data anyway; the token keeps the endpoint closed to the rest of the network.
   */
  token?: string;
}

export interface QueueJobData {
  v: 1;
  run: Omit<RunJob, "cacheDir" | "save" | "artifact">;
  engineVersion: string;
  data: DataRef;
}

/** What a worker returns for a finished Run (BullMQ keeps it as the job's return value). */
export interface QueueJobResult {
  result: RunResult;
  worker: WorkerInfo;
}

/** A failure as BullMQ keeps it (a string): "CODE: message", readable in any BullMQ tool and parsed back here. */
export function encodeFailure(e: RunError): string {
  return `${e.code}: ${e.message}`;
}

export function decodeFailure(reason: string | undefined): RunError {
  const text = reason ?? "the job failed without a reason";
  const m = /^([A-Z][A-Z0-9_]*): ([\s\S]*)$/.exec(text);
  if (m) return { code: m[1]!, message: m[2]! };
  // BullMQ's own reasons: a job whose worker stopped renewing its lock too often (killed, frozen, lost).
  if (/stalled/i.test(text)) return { code: "WORKER_LOST", message: `the Run's workers stopped answering too many times (${text})` };
  return { code: "RUN_FAILED", message: text };
}

/** Refuses, on the coordinator, a Run that cannot travel: its inputs name files on this machine. */
export function unsupportedOverQueue(job: RunJob): string | null {
  if (job.save !== undefined) return "pretraining saves a model into this machine's store folder";
  if (job.artifact || (job.recipe.init as JsonObject | undefined)?.weights !== undefined) return "transfer Runs start from weights in this machine's store folder";
  if (job.spec.family === "torchscript") return "a TorchScript model is a file on this machine";
  return null;
}

export function toQueueJob(job: RunJob, engineVersion: string, data: DataRef): QueueJobData {
  const { cacheDir: _c, save: _s, artifact: _a, ...run } = job;
  return { v: 1, run, engineVersion, data };
}

/** Thrown for a job that is not a well-formed Run; the worker fails the job with it and never retries it. */
export class BadJobError extends Error {
  readonly code = "BAD_JOB";
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Reads a job's data like CLI input; returns the Run job (cacheDir to be filled in) or throws BadJobError. */
export function readQueueJob(raw: unknown, jobId: string | undefined): { job: Omit<RunJob, "cacheDir">; engineVersion: string; data: DataRef } {
  const bad = (what: string): never => {
    throw new BadJobError(`job ${jobId ?? "?"}: ${what}; this worker runs only Runs queued by enough`);
  };
  const obj = (v: unknown, name: string): JsonObject => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as JsonObject) : bad(`${name} is not an object`));
  const int = (v: unknown, name: string, min: number): number => (Number.isInteger(v) && (v as number) >= min ? (v as number) : bad(`${name} must be a whole number >= ${min}`));
  const str = (v: unknown, name: string): string => (typeof v === "string" && v !== "" ? v : bad(`${name} must be a string`));
  const d = obj(raw, "the job");
  if (d.v !== 1) bad(`unknown job format ${JSON.stringify(d.v)}`);
  const r = obj(d.run, "run");
  const subset = obj(r.subset, "run.subset");
  const spec = obj(r.spec, "run.spec");
  const recipe = obj(r.recipe, "run.recipe");
  const vf = r.validFraction;
  if (typeof vf !== "number" || !(vf >= 0 && vf < 0.5)) bad("run.validFraction must be in [0, 0.5)");
  // A semi-supervised Run (with --unlabeled: the given rows are the data's last source.rows rows, in the data it names).
  function semiOf(o: JsonObject): SemiJob {
    const n = (v: unknown, name: string, lo: number, hi: number): number => (typeof v === "number" && v >= lo && v <= hi ? v : bad(`run.semi.${name} must be a number from ${lo} to ${hi}`));
    if (o.method !== "pseudo" && o.method !== "fixmatch") bad("run.semi.method must be pseudo or fixmatch");
    const src = o.source === undefined ? null : obj(o.source, "run.semi.source");
    return {
      method: o.method as SemiJob["method"],
      threshold: n(o.threshold, "threshold", 0, 1),
      ratio: n(o.ratio, "ratio", 0, 1e6),
      rounds: int(o.rounds, "run.semi.rounds", 0),
      unlabeled: int(o.unlabeled, "run.semi.unlabeled", 1),
      ...(src ? { source: { fingerprint: str(src.fingerprint, "run.semi.source.fingerprint"), rows: int(src.rows, "run.semi.source.rows", 1) } } : {}),
    };
  }
  const job: Omit<RunJob, "cacheDir"> = {
    runId: str(r.runId, "run.runId"),
    fingerprint: str(r.fingerprint, "run.fingerprint"),
    subset: {
      size: int(subset.size, "run.subset.size", 1),
      seed: int(subset.seed, "run.subset.seed", 0),
      // An over-sampled Run's class counts travel in the job (the id hashes them; see RunJob.subset).
      ...(subset.composition !== undefined ? { composition: (Array.isArray(subset.composition) ? subset.composition : bad("run.subset.composition is not a list")).map((m, c) => int(m, `run.subset.composition[${c}]`, 0)) } : {}),
    },
    spec,
    recipe,
    validFraction: vf as number,
    ...(r.trainEvalCap !== undefined ? { trainEvalCap: int(r.trainEvalCap, "run.trainEvalCap", 1) } : {}),
    ...(r.ensemble !== undefined ? { ensemble: { k: int(obj(r.ensemble, "run.ensemble").k, "run.ensemble.k", 1) } } : {}),
    ...(r.extra !== undefined ? { extra: { fingerprint: str(obj(r.extra, "run.extra").fingerprint, "run.extra.fingerprint"), rows: int(obj(r.extra, "run.extra").rows, "run.extra.rows", 1) } } : {}),
    ...(r.semi !== undefined ? { semi: semiOf(obj(r.semi, "run.semi")) } : {}),
  };
  if (spec.family === "torchscript") bad("a TorchScript model names a file; the queue does not carry those");
  if (recipe.init !== undefined) bad("recipe.init names weights on another machine; the queue does not carry those");
  const engineVersion = str(d.engineVersion, "engineVersion");
  const data = obj(d.data, "data");
  const key = str(data.key, "data.key");
  if (!KEY.test(key)) bad(`data.key "${key}" is not a cache folder name`);
  const ref: DataRef = { key, hash: str(data.hash, "data.hash") };
  if (data.url !== undefined) {
    const url = str(data.url, "data.url");
    if (!/^https?:\/\//.test(url)) bad("data.url must be an http(s) address");
    ref.url = url;
  }
  if (data.token !== undefined) ref.token = str(data.token, "data.token");
  // The id must be the hash of the inputs: a job cannot claim one Run's id and carry another's inputs.
  const expected = runId(runInputs(job, engineVersion));
  if (job.runId !== expected || (jobId !== undefined && jobId !== job.runId)) bad(`its id ${jobId} is not the hash of its inputs (${expected})`);
  return { job, engineVersion, data: ref };
}
