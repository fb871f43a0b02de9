/**
 * ModelSpec: a JSON description of an architecture and its capacity, checked field by field, and resolved against
 * the data (input shape, classes) into the fully explicit form the native engine builds.
 *
 * Capacity knobs: `width` multiplies every layer size; `depth` counts layers (mlp: hidden layers; cnn: conv blocks;
 * resnet: residual blocks per stage; text: hidden layers (bag) or conv layers (conv)). Explicit lists
 * (`hidden`, `channels`) override width and depth.
 */
import { readFileSync, existsSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { SpecError } from "../errors.js";
import type { Tensors } from "./types.js";

export type Family = "mlp" | "cnn" | "resnet" | "text" | "torchscript";

export interface ModelSpec {
  family: Family;
  /** Multiplies layer sizes (default 1). */
  width?: number;
  /** Number of layers/blocks; see the module comment per family. */
  depth?: number;
  /** Dropout probability on hidden features (default 0). */
  dropout?: number;
  /** mlp: hidden layer sizes (default depth=2 layers of 256·width, 128·width). text (bag): hidden sizes after pooling. */
  hidden?: number[];
  /** mlp: batch norm after each hidden layer (default false). cnn: after each conv (default true). */
  batchNorm?: boolean;
  /** mlp: embedding size for every categorical column (default min(50, round(1.6·cardinality^0.56))). */
  catEmbedDim?: number;
  /** cnn: conv channels per block (default 32·width·2^i, depth=2 blocks); resnet: stage channels (16,32,64 ·width); text conv: channels per conv layer (128·width). */
  channels?: number[];
  /** cnn: hidden fully connected layer before the head (default 128·width; 0 = none). */
  fc?: number;
  /** resnet: residual blocks per stage (default depth, else 1). */
  blocks?: number;
  /** text: "bag" (mean of token embeddings) or "conv" (1-D convolution + max-pool over time). Default "bag". */
  variant?: "bag" | "conv";
  /** text: token embedding size (default 64·width). */
  embedDim?: number;
  /** text conv: kernel width (default 5). */
  kernel?: number;
  /** Classification: label smoothing in [0, 1) (default 0). */
  labelSmoothing?: number;
  /** Classification: one loss weight per class. */
  classWeights?: number[];
  /** cnn/resnet: channels-last memory layout (a speed knob; the model is the same). Default: the machine's choice (`enough info`). */
  channelsLast?: boolean;
  /**
   * torchscript: a TorchScript file (torch.jit.save) whose forward maps the input batch (normalised float images
   * [b, c, h, w], dense rows [b, d] or int64 token ids [b, len]) to features; a linear head is trained on them
   * (frozen by default: recipe.finetune "head"; "full" fine-tunes it).
   */
  path?: string;
}

const COMMON = ["family", "width", "depth", "dropout", "labelSmoothing", "classWeights"] as const;
const FIELDS: Record<Family, readonly string[]> = {
  mlp: [...COMMON, "hidden", "batchNorm", "catEmbedDim"],
  cnn: [...COMMON, "channels", "fc", "batchNorm", "channelsLast"],
  resnet: [...COMMON, "channels", "blocks", "channelsLast"],
  text: [...COMMON, "variant", "embedDim", "hidden", "channels", "kernel"],
  torchscript: ["family", "path", "dropout", "labelSmoothing", "classWeights"],
};
export const FAMILIES = Object.keys(FIELDS) as Family[];
const LIST_FIELDS = ["hidden", "channels", "classWeights"];

/** Which data kinds a family accepts. */
const KINDS: Record<Family, Tensors["xKind"][]> = {
  mlp: ["dense", "image"],
  cnn: ["image"],
  resnet: ["image"],
  text: ["tokens"],
  torchscript: ["dense", "image", "tokens"],
};

function bad(field: string, msg: string): never {
  throw new SpecError("SPEC_INVALID", `model spec field "${field}" ${msg}`);
}
function posInt(v: unknown, field: string, min = 1): void {
  if (v === undefined) return;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) bad(field, `must be an integer >= ${min}, got ${JSON.stringify(v)}`);
}
function posNum(v: unknown, field: string): void {
  if (v === undefined) return;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) bad(field, `must be a positive number, got ${JSON.stringify(v)}`);
}
function unit(v: unknown, field: string): void {
  if (v === undefined) return;
  if (typeof v !== "number" || !(v >= 0 && v < 1)) bad(field, `must be a number in [0, 1), got ${JSON.stringify(v)}`);
}
function intList(v: unknown, field: string, min = 1): void {
  if (v === undefined) return;
  if (!Array.isArray(v)) bad(field, `must be a list of integers, got ${JSON.stringify(v)}`);
  v.forEach((x, i) => posInt(x, `${field}[${i}]`, min));
}

/** Checks a spec's fields and value ranges (data-independent). Throws SpecError naming the field. */
export function validateSpec(spec: unknown): ModelSpec {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw new SpecError("SPEC_INVALID", `a model spec must be an object with a "family" (one of ${FAMILIES.join(", ")})`);
  }
  const s = spec as Record<string, unknown>;
  const family = s.family as Family;
  if (!FAMILIES.includes(family)) {
    throw new SpecError("SPEC_INVALID", `unknown model family ${JSON.stringify(s.family)}; valid families: ${FAMILIES.join(", ")}`);
  }
  const valid = FIELDS[family];
  for (const k of Object.keys(s)) {
    if (!valid.includes(k)) {
      throw new SpecError("SPEC_UNKNOWN_FIELD", `unknown field "${k}" in a ${family} model spec; valid fields: ${valid.join(", ")}`);
    }
  }
  posNum(s.width, "width");
  posInt(s.depth, "depth", family === "mlp" || (family === "text" && s.variant !== "conv") ? 0 : 1);
  unit(s.dropout, "dropout");
  unit(s.labelSmoothing, "labelSmoothing");
  if (s.classWeights !== undefined) {
    if (!Array.isArray(s.classWeights) || s.classWeights.some((w) => typeof w !== "number" || !(w >= 0) || !Number.isFinite(w)))
      bad("classWeights", "must be a list of non-negative numbers, one per class");
  }
  intList(s.hidden, "hidden");
  intList(s.channels, "channels");
  if (s.channels !== undefined && (s.channels as number[]).length === 0) bad("channels", "must not be empty");
  posInt(s.fc, "fc", 0);
  posInt(s.blocks, "blocks");
  posInt(s.catEmbedDim, "catEmbedDim");
  posInt(s.embedDim, "embedDim");
  posInt(s.kernel, "kernel");
  for (const k of ["batchNorm", "channelsLast"]) {
    if (s[k] !== undefined && typeof s[k] !== "boolean") bad(k, `must be true or false, got ${JSON.stringify(s[k])}`);
  }
  if (family === "torchscript" && (typeof s.path !== "string" || s.path === "")) bad("path", "must name a TorchScript file (torch.jit.save) for family torchscript");
  if (s.variant !== undefined && s.variant !== "bag" && s.variant !== "conv") bad("variant", `must be "bag" or "conv", got ${JSON.stringify(s.variant)}`);
  return s as unknown as ModelSpec;
}

/** The explicit form the addon builds (every default filled). */
export interface ResolvedSpec {
  family: Family;
  hidden: number[];
  channels: number[];
  fc: number;
  blocks: number;
  batchNorm: boolean;
  dropout: number;
  variant: "bag" | "conv";
  embedDim: number;
  kernel: number;
  catEmbedDims: number[];
  labelSmoothing: number;
  classWeights: number[];
  channelsLast: boolean;
  /** torchscript: the module file ("" for the other families). */
  scriptPath: string;
}

const size = (base: number, width: number) => Math.max(4, Math.round(base * width));

/** Fills defaults and checks the spec against the data it will be trained on. */
export function resolveSpec(spec: ModelSpec, data: Pick<Tensors, "xKind" | "xShape" | "task" | "numClasses" | "catCardinalities">): ResolvedSpec {
  validateSpec(spec);
  const f = spec.family;
  if (!KINDS[f].includes(data.xKind)) {
    const fits = FAMILIES.filter((g) => KINDS[g].includes(data.xKind));
    throw new SpecError("SPEC_DATA_KIND", `a ${f} model cannot take ${data.xKind} data; use ${fits.join(" or ")}`);
  }
  if (data.catCardinalities?.length && f !== "mlp") {
    throw new SpecError("SPEC_DATA_KIND", `a ${f} model does not take categorical columns (data.cat); use mlp`);
  }
  if (spec.classWeights && data.task === "classification" && spec.classWeights.length !== data.numClasses) {
    bad("classWeights", `has ${spec.classWeights.length} weights but the data has ${data.numClasses} classes`);
  }
  if (data.task === "regression" && (spec.classWeights || spec.labelSmoothing)) {
    bad(spec.classWeights ? "classWeights" : "labelSmoothing", "only applies to classification data");
  }
  const w = spec.width ?? 1;
  const depth = spec.depth;
  const r: ResolvedSpec = {
    family: f,
    hidden: [],
    channels: [],
    fc: 0,
    blocks: 1,
    batchNorm: false,
    dropout: spec.dropout ?? 0,
    variant: spec.variant ?? "bag",
    embedDim: spec.embedDim ?? size(64, w),
    kernel: spec.kernel ?? 5,
    catEmbedDims: [],
    labelSmoothing: spec.labelSmoothing ?? 0,
    classWeights: spec.classWeights ?? [],
    // Channels-last (NHWC) lets oneDNN run its blocked convolution kernels without layout reorders: 1.5x training on
    // an AVX-512 Xeon, but slower than NCHW on an AVX2 EPYC. train() replaces this default with the machine's
    // choice (machine.ts) when the spec leaves it unset; this value serves callers that do not train (flops).
    channelsLast: spec.channelsLast ?? (f === "cnn" || f === "resnet"),
    scriptPath: f === "torchscript" ? resolvePath(spec.path!) : "",
  };
  switch (f) {
    case "mlp":
      r.hidden = spec.hidden ?? Array.from({ length: depth ?? 2 }, (_, i) => size(256 / 2 ** i, w));
      r.batchNorm = spec.batchNorm ?? false;
      r.catEmbedDims = (data.catCardinalities ?? []).map((c) => spec.catEmbedDim ?? Math.min(50, Math.max(1, Math.round(1.6 * c ** 0.56))));
      break;
    case "cnn": {
      r.channels = spec.channels ?? Array.from({ length: depth ?? 2 }, (_, i) => size(32 * 2 ** i, w));
      r.fc = spec.fc ?? size(128, w);
      r.batchNorm = spec.batchNorm ?? true;
      break;
    }
    case "resnet":
      r.channels = spec.channels ?? [16, 32, 64].map((c) => size(c, w));
      r.blocks = spec.blocks ?? depth ?? 1;
      r.batchNorm = true;
      break;
    case "text":
      if (r.variant === "conv") {
        r.channels = spec.channels ?? Array.from({ length: depth ?? 1 }, () => size(128, w));
        r.hidden = spec.hidden ?? [];
      } else {
        r.hidden = spec.hidden ?? Array.from({ length: depth ?? 1 }, () => size(128, w));
      }
      break;
  }
  return r;
}

function parseValue(v: string): unknown {
  if (v === "true") return true;
  if (v === "false") return false;
  if (/[x;]/.test(v) && v.split(/[x;]/).every((p) => p.trim() !== "" && !Number.isNaN(Number(p)))) {
    return v.split(/[x;]/).map(Number);
  }
  if (v.startsWith("[")) {
    try {
      return JSON.parse(v);
    } catch {
      /* fall through to a string */
    }
  }
  if (v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
  return v;
}

/** Splits `a=1,b=[2,3]` at the commas outside brackets. */
export function splitOverrides(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "[") depth++;
    else if (ch === "]") depth = Math.max(0, depth - 1);
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

/**
 * Parses a `--model` argument: a family name with optional overrides (`cnn`, `mlp:width=2,dropout=0.2`,
 * `text:variant=conv`, lists as `hidden=512x256` or `channels=[16,32]`), or a path to a JSON ModelSpec file.
 */
export function parseModelArg(arg: string): ModelSpec {
  const a = arg.trim();
  if (a.endsWith(".json") || a.includes("/") || (existsSync(a) && !FAMILIES.includes(a as Family))) {
    let text: string;
    try {
      text = readFileSync(a, "utf8");
    } catch (e) {
      throw new SpecError("SPEC_FILE", `cannot read model spec file ${a}: ${(e as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new SpecError("SPEC_FILE", `model spec file ${a} is not valid JSON: ${(e as Error).message}`);
    }
    return validateSpec(json);
  }
  const [family, rest] = a.split(/:(.*)/s, 2) as [string, string | undefined];
  const spec: Record<string, unknown> = { family };
  if (rest) {
    for (const part of splitOverrides(rest)) {
      if (!part.trim()) continue;
      const eq = part.indexOf("=");
      if (eq < 0) throw new SpecError("SPEC_INVALID", `model override "${part}" in "${arg}" is not key=value`);
      const key = part.slice(0, eq).trim();
      const value = parseValue(part.slice(eq + 1).trim());
      // A single number for a list field means a one-element list (`hidden=64`).
      spec[key] = LIST_FIELDS.includes(key) && typeof value === "number" ? [value] : value;
    }
  }
  return validateSpec(spec);
}
