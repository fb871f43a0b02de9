/**
 * Prediction-time encoding: plain row objects (parsed CSV/JSON rows) through the saved encoders, giving the same
 * tensors the training data got (the same missing/number/category rules as the SQL path, see values.ts).
 */
import type { Tensors } from "../../engine/types.js";
import { InputError } from "../../errors.js";
import { toCategory, toNumber } from "../values.js";
import { applyText } from "./text.js";
import { applyTabular, type RawColumn } from "./tabular.js";
import type { EncoderState, TargetEncoder } from "./types.js";

export type Row = Record<string, unknown>;

export function encodeRows(state: EncoderState, rows: Row[]): Pick<Tensors, "x" | "xShape" | "xKind" | "cat" | "catCardinalities" | "vocabSize" | "n"> {
  if (state.kind === "image") {
    throw new InputError("ENCODE_IMAGES", "image datasets are encoded from files", { hint: "use encodeImages(state, paths)" });
  }
  const n = rows.length;
  if (state.kind === "text") {
    const col = state.text.column;
    const x = applyText(state.text, rows.map((r) => toCategory(r[col])));
    return { n, x, xShape: [state.text.seqLen], xKind: "tokens", vocabSize: state.text.vocab.length + 2 };
  }
  const columns: RawColumn[] = state.features.map((f) => {
    if (f.kind === "numeric") {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = toNumber(rows[i]![f.column]);
      return { kind: "numeric", name: f.column, values };
    }
    // Codes index the encoder's own categories; anything else is "unseen" (last slot).
    const dict = [...f.categories, "\u0000unseen"];
    const pos = new Map(f.categories.map((c, i) => [c, i]));
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = toCategory(rows[i]![f.column]);
      codes[i] = v === null ? -1 : (pos.get(v) ?? f.categories.length);
    }
    return { kind: "categorical", name: f.column, codes, dict };
  });
  const { x, width, cat } = applyTabular(state, columns, n);
  return {
    n,
    x,
    xShape: [width],
    xKind: "dense",
    ...(cat ? { cat, catCardinalities: state.catCardinalities.slice() } : {}),
  };
}

/** Targets of prediction-time rows: class ids (-1 for a class the training data did not have) or numbers. */
export function encodeTarget(target: TargetEncoder, values: unknown[]): Int32Array | Float32Array {
  if (target.task === "regression") return Float32Array.from(values, (v) => toNumber(v));
  const pos = new Map((target.classes ?? []).map((c, i) => [c, i]));
  return Int32Array.from(values, (v) => {
    const c = toCategory(v);
    return c === null ? -1 : (pos.get(c) ?? -1);
  });
}
