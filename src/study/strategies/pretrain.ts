/**
 * transfer:source=<src>: the source data set and its pretrained model.
 *
 * The same ModelSpec is trained once on the source (its own labels and head) with the default recipe on its whole
 * pool (or `size=` rows), seed = the study's first seed, in a worker process like every Run (a RunJob with `save`:
 * the worker saves the model with Model.save()). The model is an artifact in `<store folder>/artifacts/<key>/`,
 * keyed by a hash of what it depends on (the pretraining job's Run inputs: source fingerprint, spec, concrete
 * recipe with its seed, size, validation fraction, engine version, protocol), so a re-run or a resumed study finds
 * it and does not pretrain again, and two studies with the same source share it.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { InputError, TrainingError } from "../../errors.js";
import type { Dataset } from "../../data/types.js";
import { stableHash } from "../hash.js";
import { buildJob, studyLoadOptions } from "../kit/job.js";
import type { StudyDeps } from "../kit/deps.js";
import type { StudyOptions } from "../kit/study-options.js";
import type { Executor } from "../executor.js";
import { defaultPretext } from "../../engine/semi.js";
import { runInputs, type JsonObject, type RunInputs, type RunJob } from "../run.js";
import type { Lever, Pretrained } from "./levers.js";

type TransferLever = Extract<Lever, { kind: "transfer" }>;
type SelfsupLever = Extract<Lever, { kind: "selfsup" }>;

/**
 * Loads a transfer lever's source with the study's reading options (its own `classes=`, never the target's) and
 * checks that the model can take its rows: the same input kind and shape (the head may differ).
 */
export async function loadSource(l: TransferLever, options: StudyOptions, deps: StudyDeps, target: Dataset): Promise<Dataset> {
  const { classes: _targetClasses, ...load } = options.load ?? {};
  const src = await deps.loadDataset(studyLoadOptions({ ...options, data: l.source, load: { ...load, ...(l.classes !== undefined ? { classes: l.classes } : {}) } }, undefined));
  const a = target.tensors;
  const b = src.tensors;
  const shape = (t: typeof a) => `${t.xKind} [${t.xShape.join("x")}]`;
  if (a.xKind !== b.xKind || a.xShape.join("x") !== b.xShape.join("x") || (a.vocabSize ?? 0) !== (b.vocabSize ?? 0)) {
    throw new InputError("TRANSFER_SHAPE", `--try ${l.label}: the source's inputs are ${shape(b)}, the data's are ${shape(a)}; transfer needs the same input shape`, {
      hint: "use a source with the same features (or image size: --image-size applies to both), or transfer:backbone=<path>",
    });
  }
  if (!src.cacheDir) throw new InputError("NO_CACHE", `the source ${l.source} has no cache directory; worker processes need one`);
  if (l.size !== undefined && l.size > src.split.pool.length) {
    throw new InputError("BAD_LEVER_VALUE", `--try ${l.label}: size=${l.size} exceeds the source's pool (${src.split.pool.length} rows after its test split)`);
  }
  return src;
}

export interface PretrainOutcome extends Pretrained {
  /** Seconds the pretraining took (measured when it ran; read back from the artifact when re-used). */
  seconds: number;
  reused: boolean;
  size: number;
}

/** What a pretraining needs from its study: the model, the seed, the Run protocol's inputs, where artifacts go. */
export interface PretrainContext {
  spec: JsonObject;
  seed: number;
  validFraction: number;
  engineVersion: string;
  storePath: string;
  executor: Executor;
  deps: StudyDeps;
}

/** The artifact of a lever: re-used when present, else trained now by the executor (a worker process). */
export async function pretrain(o: PretrainContext & { lever: TransferLever; source: Dataset }): Promise<PretrainOutcome> {
  const size = o.lever.size ?? o.source.split.pool.length;
  const { job, inputs } = buildJob({ dataset: o.source, spec: o.spec, size, seed: o.seed, attempt: 0, validFraction: o.validFraction, engineVersion: o.engineVersion, defaultRecipe: o.deps.defaultRecipe });
  const key = "p" + stableHash({ artifact: "pretrained", ...inputs, pretrain: true }, 20);
  return artifact({ key, job, inputs, size, storePath: o.storePath, executor: o.executor, source: o.source.source, failure: `--try ${o.lever.label}: pretraining on ${o.source.source} failed` });
}

/**
 * selfsup: the pretext task on the study's own pool, inputs only (`size` rows, a seeded sample; never the test
 * split, never a label), the same ModelSpec; one artifact for every Run of the lever, keyed like transfer's by the
 * job's Run inputs (which hold the pretext, its size and steps). With --unlabeled, the given rows in place of the
 * pool: the job reads the combined copy and its pretext names the rows' hash, so the key differs.
 */
export async function pretrainSelfsup(o: PretrainContext & { lever: SelfsupLever; dataset: Dataset; unlabeled?: { cacheDir: string; fingerprint: string; rows: number; source: string } }): Promise<PretrainOutcome> {
  const u = o.unlabeled;
  const pool = u ? u.rows : o.dataset.split.pool.length;
  const size = Math.min(o.lever.size ?? pool, pool);
  if (size < 2) throw new InputError("BAD_LEVER_VALUE", `--try ${o.lever.label}: ${u ? `${u.source} has` : "the pool has"} ${pool} row(s); pretraining needs at least 2`);
  const method = o.lever.method ?? defaultPretext(o.dataset.tensors.xKind);
  const built = buildJob({ dataset: o.dataset, spec: o.spec, size, seed: o.seed, attempt: 0, validFraction: o.validFraction, engineVersion: o.engineVersion, defaultRecipe: o.deps.defaultRecipe });
  const pretext = { method, size, steps: o.lever.steps, ...(u ? { source: { fingerprint: u.fingerprint, rows: u.rows } } : {}) };
  const job = { ...built.job, ...(u ? { cacheDir: u.cacheDir } : {}), pretext };
  const inputs = runInputs(job, o.engineVersion);
  const key = "s" + stableHash({ artifact: "selfsup", ...inputs, pretrain: true }, 20);
  const from = u ? `${u.source} (${size} unlabelled rows, ${method})` : `${o.dataset.source} (inputs only, ${method})`;
  return artifact({ key, job, inputs, size, storePath: o.storePath, executor: o.executor, source: from, failure: `--try ${o.lever.label}: self-supervised pretraining (${method}) failed` });
}

/** An artifact's folder: re-used when finished (model.json and pretrain.json present), else made by `job` now. */
async function artifact(o: { key: string; job: RunJob; inputs: RunInputs; size: number; storePath: string; executor: Executor; source: string; failure: string }): Promise<PretrainOutcome> {
  const { key, size } = o;
  const dir = join(dirname(o.storePath), "artifacts", key);
  const meta = join(dir, "pretrain.json");
  if (existsSync(join(dir, "model.json")) && existsSync(meta)) {
    const m = JSON.parse(await readFile(meta, "utf8")) as { seconds?: number };
    return { dir, key, seconds: m.seconds ?? 0, reused: true, size };
  }
  const out = await o.executor.run({ ...o.job, save: dir });
  if (!out.ok) {
    throw new TrainingError("PRETRAIN_FAILED", `${o.failure}: ${out.error.message}`, {
      hint: "check the source with `enough train --data <source>`; the other levers are unaffected when run without this one",
    });
  }
  // Written after the model: its presence marks a finished artifact, and it keeps the cost for later studies.
  await writeFile(meta, JSON.stringify({ key, inputs: o.inputs, seconds: out.result.totalSeconds, test: out.result.metrics.test, source: o.source }, null, 2));
  return { dir, key, seconds: out.result.totalSeconds, reused: false, size };
}
