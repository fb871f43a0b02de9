/** Per-channel pixel statistics (x / 255) over the pool, for the engine's normalisation. */
export function imageStats(x: Uint8Array, channels: number, pixels: number, pool: Int32Array): { mean: number[]; std: number[] } {
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    // Histogram instead of a float sum per pixel: exact and fast for uint8.
    const hist = new Float64Array(256);
    for (let i = 0; i < pool.length; i++) {
      const off = (pool[i]! * channels + c) * pixels;
      for (let p = 0; p < pixels; p++) hist[x[off + p]!]!++;
    }
    let n = 0;
    let s = 0;
    let s2 = 0;
    for (let v = 0; v < 256; v++) {
      const h = hist[v]!;
      n += h;
      s += h * (v / 255);
      s2 += h * (v / 255) ** 2;
    }
    const m = n ? s / n : 0;
    mean.push(m);
    std.push(Math.max(1e-3, Math.sqrt(Math.max(0, s2 / Math.max(1, n) - m * m))));
  }
  return { mean, std };
}
