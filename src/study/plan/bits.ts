/**
 * A Run's per-row test outcome, kept small: one bit per test row (1 = predicted class is the label), base64. A
 * 10,000-row test split costs 1.7 kB per Run and lets any later grouping (class, any --group column) be scored
 * without re-running or storing predictions.
 */

/** The argmax of each row's probabilities against its label, as a base64 bitset in `rows` order. */
export function correctBits(probs: Float32Array, labels: Int32Array, rows: Int32Array, numClasses: number): string {
  const bytes = new Uint8Array(Math.ceil(rows.length / 8));
  for (let i = 0; i < rows.length; i++) {
    let best = 0;
    for (let j = 1; j < numClasses; j++) if (probs[i * numClasses + j]! > probs[i * numClasses + best]!) best = j;
    if (best === labels[rows[i]!]) bytes[i >> 3]! |= 1 << (i & 7);
  }
  return Buffer.from(bytes).toString("base64");
}

/** The bitset back as one 0/1 per row; null when it does not cover `n` rows (another test split). */
export function readBits(b64: string, n: number): Uint8Array | null {
  const bytes = Buffer.from(b64, "base64");
  if (bytes.length !== Math.ceil(n / 8)) return null;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (bytes[i >> 3]! >> (i & 7)) & 1;
  return out;
}
