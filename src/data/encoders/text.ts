/**
 * Word-level tokenizer: lower-cased words (letters/digits, with inner apostrophes) and single punctuation marks.
 * The vocabulary is built on the training pool only and capped; the sequence length is the 95th percentile of
 * pool text lengths (capped), so most texts fit without padding dominating.
 */
import type { TextEncoder } from "./types.js";

const TOKEN = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu;

export function tokenize(text: string, lowercase = true): string[] {
  const s = (lowercase ? text.toLowerCase() : text).normalize("NFKC");
  return s.match(TOKEN) ?? [];
}

export interface TextOptions {
  maxVocab?: number;
  minCount?: number;
  maxLen?: number;
  quantile?: number;
}

export function fitText(column: string, texts: (string | null)[], pool: Int32Array, opts: TextOptions = {}): TextEncoder {
  const counts = new Map<string, number>();
  const lens: number[] = [];
  for (let i = 0; i < pool.length; i++) {
    const toks = tokenize(texts[pool[i]!] ?? "");
    lens.push(toks.length);
    for (const t of toks) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const minCount = opts.minCount ?? 1;
  const maxVocab = opts.maxVocab ?? 20_000;
  const vocab = [...counts.entries()]
    .filter(([, c]) => c >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, Math.max(0, maxVocab - 2))
    .map(([t]) => t);
  lens.sort((a, b) => a - b);
  const q = lens.length ? lens[Math.min(lens.length - 1, Math.floor((opts.quantile ?? 0.95) * (lens.length - 1) + 0.5))]! : 1;
  const seqLen = Math.max(1, Math.min(opts.maxLen ?? 256, q));
  return { column, lowercase: true, vocab, seqLen };
}

/** Token ids [n, seqLen]: truncated at seqLen, padded with 0. */
export function applyText(e: TextEncoder, texts: (string | null)[]): Int32Array {
  const ids = new Map(e.vocab.map((t, i) => [t, i + 2]));
  const out = new Int32Array(texts.length * e.seqLen);
  for (let r = 0; r < texts.length; r++) {
    const toks = tokenize(texts[r] ?? "", e.lowercase);
    const m = Math.min(toks.length, e.seqLen);
    for (let k = 0; k < m; k++) out[r * e.seqLen + k] = ids.get(toks[k]!) ?? 1;
  }
  return out;
}
