/**
 * A rough compute figure per variant: forward-pass FLOPs per sample, counted as 2 x the multiply-adds of the
 * convolution and linear layers of the architecture the engine builds (native/src/models.cc: 3x3 convs with
 * padding 1, 2x2 max-pool after each cnn block, a resnet stem with stride 2 from 64 px). Normalisation,
 * activations, pooling and embedding lookups are left out: they are small next to the products. A training step
 * costs about 3x the forward pass per sample. Used to compare variants, not to predict time (measured time per
 * Run does that).
 */
import { resolveSpec, type ModelSpec } from "./spec.js";
import type { Tensors } from "./types.js";

export type ShapeInfo = Pick<Tensors, "xKind" | "xShape" | "task" | "numClasses" | "catCardinalities">;

export function forwardFlops(spec: ModelSpec, data: ShapeInfo): number {
  const r = resolveSpec(spec, data);
  const out = data.task === "classification" ? Math.max(2, data.numClasses) : 1;
  let macs = 0;
  let feat = 0;
  switch (r.family) {
    case "mlp": {
      let inDim = data.xShape.reduce((a, b) => a * b, 1) + r.catEmbedDims.reduce((a, b) => a + b, 0);
      for (const h of r.hidden) {
        macs += inDim * h;
        inDim = h;
      }
      feat = inDim;
      break;
    }
    case "cnn": {
      let [c, h, w] = data.xShape as [number, number, number];
      for (const ch of r.channels) {
        macs += h * w * c * ch * 9;
        c = ch;
        if (h >= 2 && w >= 2) [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
      }
      feat = c * h * w;
      if (r.fc > 0) {
        macs += feat * r.fc;
        feat = r.fc;
      }
      break;
    }
    case "resnet": {
      let [c, h, w] = data.xShape as [number, number, number];
      const stride = h >= 64 ? 2 : 1;
      [h, w] = [Math.ceil(h / stride), Math.ceil(w / stride)];
      macs += h * w * c * r.channels[0]! * 9;
      let inC = r.channels[0]!;
      r.channels.forEach((ch, st) => {
        for (let b = 0; b < r.blocks; b++) {
          const s = st > 0 && b === 0 ? 2 : 1;
          [h, w] = [Math.ceil(h / s), Math.ceil(w / s)];
          macs += h * w * inC * ch * 9 + h * w * ch * ch * 9;
          if (s !== 1 || inC !== ch) macs += h * w * inC * ch;
          inC = ch;
        }
      });
      feat = inC;
      break;
    }
    case "text": {
      const len = data.xShape[0] ?? 1;
      let inDim = r.embedDim;
      if (r.variant === "conv") {
        for (const ch of r.channels) {
          macs += len * inDim * ch * r.kernel;
          inDim = ch;
        }
      }
      for (const h of r.hidden) {
        macs += inDim * h;
        inDim = h;
      }
      feat = inDim;
      break;
    }
  }
  macs += feat * out;
  return 2 * macs;
}

/** "1.2 MFLOP", "350 kFLOP". */
export function flopsText(f: number): string {
  const units: [number, string][] = [[1e12, "TFLOP"], [1e9, "GFLOP"], [1e6, "MFLOP"], [1e3, "kFLOP"]];
  for (const [v, u] of units) if (f >= v) return `${(f / v).toPrecision(f / v >= 100 ? 3 : 2)} ${u}`;
  return `${Math.round(f)} FLOP`;
}
