/**
 * Ensembles: k trained models whose predictions are averaged (class probabilities for classification, predicted
 * values for regression). Each member predicts once per call through Model.predict (the batching stays native);
 * the average and the metrics are computed here, once per call, not per batch.
 */
import { InputError } from "../errors.js";
import type { Evaluation, Model } from "./model.js";
import { predictionScores } from "./scores.js";
import type { Tensors } from "./types.js";

export class Ensemble {
  readonly members: readonly Model[];

  constructor(members: readonly Model[]) {
    if (members.length === 0) throw new InputError("ENSEMBLE_EMPTY", "an ensemble needs at least one model");
    const a = members[0]!.input;
    for (const m of members) {
      const b = m.input;
      if (b.task !== a.task || b.numClasses !== a.numClasses || b.xKind !== a.xKind || b.xShape.join() !== a.xShape.join()) {
        throw new InputError("ENSEMBLE_MISMATCH", "ensemble members must take the same input and predict the same task and classes");
      }
    }
    this.members = [...members];
  }

  /** The members' predictions averaged: n × numClasses probabilities (classification) or n values (regression). */
  async predict(data: Tensors, rows?: Int32Array): Promise<Float32Array> {
    const k = this.members.length;
    let sum: Float64Array | undefined;
    // One member at a time: each prediction already uses the engine's threads, and memory stays at two arrays.
    for (const m of this.members) {
      const p = await m.predict(data, rows);
      if (!sum) sum = new Float64Array(p.length);
      for (let i = 0; i < p.length; i++) sum[i]! += p[i]!;
    }
    const out = new Float32Array(sum!.length);
    for (let i = 0; i < out.length; i++) out[i] = sum![i]! / k;
    return out;
  }

  /**
   * Metrics of the averaged prediction, in Model.evaluate's terms: classification loss is the mean cross-entropy
   * of the averaged probabilities (-log p[y], p floored at 1e-12), accuracy their argmax, F1, balanced accuracy
   * and AUC from them (scores.ts); regression mse, r2, MAE and loss = mse.
   */
  async evaluate(data: Tensors, rows?: Int32Array): Promise<Evaluation> {
    const task = this.members[0]!.input.task;
    if (data.task !== task) throw new InputError("MODEL_INPUT_MISMATCH", `data does not match the ensemble: task is ${data.task}, the ensemble does ${task}`);
    const p = await this.predict(data, rows);
    const n = rows ? rows.length : data.n;
    const row = (i: number) => (rows ? rows[i]! : i);
    if (task === "classification") {
      const c = this.members[0]!.input.numClasses;
      const y = data.y as Int32Array;
      let loss = 0;
      let correct = 0;
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let j = 1; j < c; j++) if (p[i * c + j]! > p[i * c + best]!) best = j;
        const t = y[row(i)]!;
        if (best === t) correct++;
        loss -= Math.log(Math.max(p[i * c + t]!, 1e-12));
      }
      return { loss: loss / Math.max(n, 1), accuracy: correct / Math.max(n, 1), n, ...predictionScores(task, p, y, rows, c) };
    }
    const y = data.y as Float32Array;
    let sse = 0;
    let sum = 0;
    let sum2 = 0;
    for (let i = 0; i < n; i++) {
      const t = y[row(i)]!;
      sse += (p[i]! - t) ** 2;
      sum += t;
      sum2 += t * t;
    }
    const nn = Math.max(n, 1);
    const sst = sum2 - (sum * sum) / nn;
    const mse = sse / nn;
    // Same conventions as the engine's evaluate (trainer.cc evalRows) for a constant target.
    const r2 = sst > 1e-12 * nn ? 1 - sse / sst : sse <= 1e-12 ? 1 : 0;
    return { loss: mse, mse, r2, n, ...predictionScores(task, p, y, rows, 0) };
  }

  /** Disposes every member. */
  dispose(): void {
    for (const m of this.members) m.dispose();
  }
}
