/**
 * What travels in a BullMQ job: a Run's inputs and where its data can be had, nothing else. The job id is the Run
 * id, so a Run is queued once whoever asks for it. A worker reads a job like CLI input: every field checked, the id
 * recomputed from the inputs (a job is what its id says), and nothing that would make a worker load or run a file
 * named by the queue (TorchScript models, transfer weights, artifact paths).
 */
import { ACQUIRE_STRATEGIES } from "../../engine/model.js";
import { InputError } from "../../errors.js";
import type { ActiveJob, JsonObject, RunError, RunJob, RunResult, SemiJob, SyntheticJob, WorkerInfo } from "../run.js";
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

/** What decides whether a Run can travel: the fields that may name files on the coordinator. */
export type QueueCheck = Pick<RunJob, "spec" | "recipe"> & Partial<Pick<RunJob, "save" | "artifact">>;

/**
 * Why a Run cannot travel (its inputs name files on this machine), or null. Everything else a RunJob holds does
 * travel: subset (with composition), ensemble, extra (the combined copy is the job's data folder), semi (with
 * --unlabeled: the same), synthetic (the generator is fitted inside the Run), active (the whole trajectory is one
 * Run), augment/dp/search (recipe fields).
 */
export function unsupportedOverQueue(job: QueueCheck): string | null {
  if (job.save !== undefined) return "pretraining saves a model into this machine's store folder";
  if (job.artifact) return "its Runs start from a model pretrained into this machine's store folder";
  const weights = (job.recipe.init as JsonObject | undefined)?.weights;
  if (weights !== undefined) return `its Runs start from the weights in ${String(weights)} on this machine`;
  if (job.spec.family === "torchscript") return "a TorchScript model is a file on this machine";
  return null;
}

/**
 * The up-front form of unsupportedOverQueue, for a study's model, recipe or lever before any Run is queued: a typed
 * error naming `what`, why, and what to do (a Run refused later would only fail at its turn, after others trained).
 */
export function checkQueueable(what: string, job: QueueCheck, hint = `leave ${what} out of the queued study and run it with --executor local`): void {
  const why = unsupportedOverQueue(job);
  if (why) {
    throw new InputError("QUEUE_UNSUPPORTED", `${what} cannot run through the queue: ${why}, which a worker on another machine cannot read`, {
      hint: `${hint} (the same --store re-uses every Run the queue finished)`,
    });
  }
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
  // A Run with synthetic rows: the generator is fitted inside the Run, so the job carries only its choice.
  function syntheticOf(o: JsonObject): SyntheticJob {
    if (o.model !== "cvae" && o.model !== "copula") bad("run.synthetic.model must be cvae or copula");
    if (typeof o.ratio !== "number" || !(o.ratio > 0 && o.ratio <= 1000)) bad("run.synthetic.ratio must be a number above 0 and at most 1000");
    return { model: o.model as SyntheticJob["model"], ratio: o.ratio as number };
  }
  // An active-learning trajectory: one Run, its schedule in the job (the worker acquires round by round).
  function activeOf(o: JsonObject): ActiveJob {
    if (typeof o.strategy !== "string" || !(ACQUIRE_STRATEGIES as readonly string[]).includes(o.strategy)) bad(`run.active.strategy must be one of ${ACQUIRE_STRATEGIES.join(", ")}`);
    const start = int(o.start, "run.active.start", 1);
    const max = int(o.max, "run.active.max", start);
    const list = (v: unknown, name: string): unknown[] => (Array.isArray(v) ? v : bad(`${name} is not a list`));
    const fixed = o.fixed === undefined ? null : list(o.fixed, "run.active.fixed").map((k, i) => (k === "batchSize" || k === "epochs" || k === "steps" ? k : bad(`run.active.fixed[${i}] must be batchSize, epochs or steps`)));
    const beyond = o.beyond === undefined ? null : list(o.beyond, "run.active.beyond").map((n, i) => int(n, `run.active.beyond[${i}]`, max + 1));
    return {
      strategy: o.strategy as string,
      batch: int(o.batch, "run.active.batch", 1),
      start,
      max,
      ...(o.mcSamples !== undefined ? { mcSamples: int(o.mcSamples, "run.active.mcSamples", 2) } : {}),
      ...(fixed ? { fixed } : {}),
      ...(beyond ? { beyond } : {}),
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
    ...(r.synthetic !== undefined ? { synthetic: syntheticOf(obj(r.synthetic, "run.synthetic")) } : {}),
    ...(r.active !== undefined ? { active: activeOf(obj(r.active, "run.active")) } : {}),
  };
  // Pretext jobs are pretraining (refused on the coordinator, see unsupportedOverQueue): said, not dropped.
  if (r.pretext !== undefined) bad("run.pretext is a pretraining job, which saves into the coordinator's store; the queue does not carry those");
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
