/**
 * `enough train`: trains one model on the first N samples of a stratified shuffle of the data's pool and
 * evaluates it on the fixed test split. The quickest way to check that data, model and engine work together.
 */
import type { Command } from "commander";
import { loadDataset, nestedSubsets } from "../../data/index.js";
import { defaultRecipe, parseModelArg, train, type EpochReport, type Recipe } from "../../engine/index.js";
import { InputError } from "../../errors.js";
import { addDataOptions, toLoadOptions, type DataCliOptions } from "../data-options.js";
import { parsePositiveInt, writeJson } from "../format.js";
import { writeOut } from "../output.js";

interface TrainOptions extends DataCliOptions {
  model: string;
  n?: string;
  epochs?: string;
  seed?: string;
  threads?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const cmd = program.command("train").description("train one model on N samples of the data and evaluate it on the test split");
  addDataOptions(cmd, { seed: false })
    .option("--model <spec>", "model family with overrides (cnn, mlp:width=2) or a ModelSpec JSON file", "mlp")
    .option("--n <count>", "training samples (default: the whole pool)")
    .option("--epochs <count>", "epochs (default: the recipe's rule for this data kind and size)")
    .option("--seed <seed>", "seed for the subset, initialisation and shuffling", "0")
    .option("--threads <count>", "intra-op threads (default: chosen by the engine)")
    .option("--json", "print one JSON object instead of text")
    .action(async (opts: TrainOptions) => {
      await runTrain(opts);
    });
}

async function runTrain(opts: TrainOptions): Promise<void> {
  const seed = parsePositiveInt(opts.seed ?? "0", "--seed", { allowZero: true });
  const say = (line: string) => {
    if (!opts.json) process.stderr.write(line + "\n");
  };
  const dataset = await loadDataset(toLoadOptions(opts));
  const read = dataset.report;
  say(`data: ${read.rowsRead} rows read, ${read.rowsKept} kept, ${read.rowsSkipped} skipped`);
  for (const w of read.warnings) say(`warning: ${w}`);
  const pool = dataset.split.pool;
  const n = opts.n === undefined ? pool.length : parsePositiveInt(opts.n, "--n");
  if (n > pool.length) {
    throw new InputError("N_TOO_LARGE", `--n ${n} is larger than the training pool (${pool.length} rows of ${dataset.source})`, {
      hint: `use --n ${pool.length} or less`,
    });
  }
  const labels = dataset.tensors.task === "classification" ? (dataset.tensors.y as Int32Array) : null;
  const { subsets, warnings } = nestedSubsets(pool, labels, [n], seed);
  for (const w of warnings) say(`warning: ${w}`);
  const rows = subsets[0]!;

  const spec = parseModelArg(opts.model);
  const recipe: Recipe = { ...defaultRecipe(dataset.tensors.xKind, n), seed, earlyStopping: false };
  if (opts.epochs !== undefined) {
    recipe.epochs = parsePositiveInt(opts.epochs, "--epochs");
    delete recipe.steps;
  }
  if (opts.threads !== undefined) recipe.threads = parsePositiveInt(opts.threads, "--threads");

  say(`training ${spec.family} on ${n} of ${pool.length} samples (${dataset.source}), test on ${dataset.split.test.length}`);
  const onEpoch = (e: EpochReport) =>
    say(`  epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, ${Math.round(e.samplesPerSecond)} samples/s`);
  const { model, result } = await train(spec, dataset.tensors, { train: rows }, recipe, { onEpoch });
  try {
    const test = await model.evaluate(dataset.tensors, dataset.split.test);
    const out = {
      source: dataset.source,
      fingerprint: dataset.fingerprint,
      data: { rowsRead: read.rowsRead, rowsKept: read.rowsKept, rowsSkipped: read.rowsSkipped, skipped: read.skipped, warnings: read.warnings },
      model: spec,
      recipe,
      n,
      nTest: test.n,
      epochs: result.epochs,
      steps: result.steps,
      paramCount: result.paramCount,
      trainSeconds: result.seconds,
      samplesPerSecond: result.samplesPerSecond,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      testR2: test.r2,
      testMse: test.mse,
      testF1: test.f1,
      testBalancedAccuracy: test.balancedAccuracy,
      testAuc: test.auc,
      testMae: test.mae,
      history: result.history,
    };
    if (opts.json) {
      writeJson(out);
      return;
    }
    const score =
      test.accuracy !== undefined
        ? `test accuracy ${test.accuracy.toFixed(4)}, macro F1 ${test.f1?.toFixed(4)}, balanced accuracy ${test.balancedAccuracy?.toFixed(4)}${test.auc !== undefined ? `, AUC ${test.auc.toFixed(4)}` : ""}`
        : `test R^2 ${test.r2?.toFixed(4)}, MSE ${test.mse?.toPrecision(4)}, MAE ${test.mae?.toPrecision(4)}`;
    writeOut(
      `${score}, test loss ${test.loss.toFixed(4)} on ${test.n} test samples\n` +
        `${result.epochs} epochs, ${result.steps} steps in ${result.seconds.toFixed(1)} s ` +
        `(${Math.round(result.samplesPerSecond)} samples/s), ${result.paramCount} parameters\n`,
    );
  } finally {
    model.dispose();
  }
}
