/**
 * Axes of a comparison: `--vary <axis>=<v1>,<v2>,...`. One generic mechanism: an axis is a path into the ModelSpec
 * (`width`, `spec.dropout`), the Recipe (`weightDecay`, `recipe.lr`) or the model family (`model=mlp,cnn`);
 * values are read by the axis's kind and checked by the engine's own validators, so a bad value fails up front
 * with an error naming the axis. Several axes give their cross product.
 */
import { splitOverrides } from "../../engine/spec.js";
import { InputError } from "../../errors.js";
import { stableHash } from "../hash.js";
import type { JsonObject } from "../run.js";

export type AxisTarget = "spec" | "recipe" | "model";
type Kind = "number" | "int" | "bool" | "string" | "intList" | "earlyStopping" | "family";

interface AxisDef {
  target: AxisTarget;
  field: string;
  kind: Kind;
}

/** Known axes by their short name; any other spec/recipe field can be named as spec.<field> or recipe.<field>. */
const KNOWN: Record<string, AxisDef> = {
  model: { target: "model", field: "family", kind: "family" },
  family: { target: "model", field: "family", kind: "family" },
  width: { target: "spec", field: "width", kind: "number" },
  depth: { target: "spec", field: "depth", kind: "int" },
  dropout: { target: "spec", field: "dropout", kind: "number" },
  labelSmoothing: { target: "spec", field: "labelSmoothing", kind: "number" },
  hidden: { target: "spec", field: "hidden", kind: "intList" },
  channels: { target: "spec", field: "channels", kind: "intList" },
  blocks: { target: "spec", field: "blocks", kind: "int" },
  fc: { target: "spec", field: "fc", kind: "int" },
  batchNorm: { target: "spec", field: "batchNorm", kind: "bool" },
  embedDim: { target: "spec", field: "embedDim", kind: "int" },
  weightDecay: { target: "recipe", field: "weightDecay", kind: "number" },
  lr: { target: "recipe", field: "lr", kind: "number" },
  batchSize: { target: "recipe", field: "batchSize", kind: "int" },
  epochs: { target: "recipe", field: "epochs", kind: "int" },
  steps: { target: "recipe", field: "steps", kind: "int" },
  momentum: { target: "recipe", field: "momentum", kind: "number" },
  optimizer: { target: "recipe", field: "optimizer", kind: "string" },
  schedule: { target: "recipe", field: "schedule", kind: "string" },
  earlyStopping: { target: "recipe", field: "earlyStopping", kind: "earlyStopping" },
};
/** Axes that act as regularisers (for the overfitting diagnosis: "more regularisation closes the gap"). */
export const REGULARISING = new Set(["dropout", "weightDecay", "labelSmoothing", "earlyStopping"]);
/** Axes that set capacity (smaller = more regularised, for the same diagnosis). */
export const CAPACITY = new Set(["width", "depth", "hidden", "channels", "blocks", "fc", "embedDim"]);

/** Values a field takes when the spec leaves it out: a variant equal to the default keeps the base spec's Run ids. */
const SPEC_DEFAULTS: Record<string, unknown> = { width: 1, dropout: 0, labelSmoothing: 0 };

export interface Axis {
  /** As written by the user (for messages). */
  name: string;
  target: AxisTarget;
  field: string;
  values: unknown[];
  /** The values as written, for labels. */
  labels: string[];
}

export interface Variant {
  /** Short stable id (hash of spec and recipe overrides). */
  id: string;
  /** "width=0.25" or "width=0.25, dropout=0.2". */
  label: string;
  /** Axis field -> value. */
  values: Record<string, unknown>;
  spec: JsonObject;
  /** Recipe fields this variant sets (on top of the default recipe and the base overrides). */
  recipe: JsonObject;
}

const badAxis = (arg: string, msg: string, hint: string) => new InputError("BAD_AXIS", `--vary ${arg}: ${msg}`, { hint });

function readValue(axis: string, kind: Kind, raw: string): unknown {
  const bad = (what: string) => new InputError("BAD_AXIS_VALUE", `--vary ${axis}: "${raw}" is not ${what}`, { hint: `give ${what} values separated by commas` });
  const num = (s: string) => (s.trim() !== "" && Number.isFinite(Number(s)) ? Number(s) : NaN);
  switch (kind) {
    case "number": {
      const v = num(raw);
      if (Number.isNaN(v)) throw bad("a number");
      return v;
    }
    case "int": {
      const v = num(raw);
      if (!Number.isInteger(v)) throw bad("a whole number");
      return v;
    }
    case "bool":
      if (/^(true|on|yes)$/i.test(raw)) return true;
      if (/^(false|off|no)$/i.test(raw)) return false;
      throw bad("on/off");
    case "earlyStopping": {
      if (/^(off|false|no|none)$/i.test(raw)) return false;
      if (/^(on|true|yes)$/i.test(raw)) return { patience: 5, minDelta: 0 };
      const v = num(raw);
      if (Number.isInteger(v) && v >= 1) return { patience: v, minDelta: 0 };
      throw bad("on, off or a patience in epochs");
    }
    case "intList": {
      const parts = raw.replace(/^\[|\]$/g, "").split(/[x,;\s]+/).filter(Boolean).map(num);
      if (!parts.length || parts.some((p) => !Number.isInteger(p))) throw bad("a list of whole numbers such as [128,64] or 128x64");
      return parts;
    }
    case "family":
    case "string":
      if (!/^[A-Za-z][\w-]*$/.test(raw)) throw bad("a name");
      return raw;
  }
}

/** Parses one `--vary` argument. Throws InputError (BAD_AXIS, BAD_AXIS_VALUE) naming the axis. */
export function parseAxis(arg: string): Axis {
  const eq = arg.indexOf("=");
  if (eq <= 0) throw badAxis(arg, "write it as <axis>=<value>,<value>,…", "e.g. --vary width=0.25,1,4 or --vary dropout=0,0.2,0.5");
  const name = arg.slice(0, eq).trim();
  const rest = arg.slice(eq + 1);
  let def = KNOWN[name];
  const dotted = /^(spec|recipe)\.([A-Za-z]\w*)$/.exec(name);
  if (!def && dotted) def = KNOWN[dotted[2]!]?.target === dotted[1] ? KNOWN[dotted[2]!] : { target: dotted[1] as AxisTarget, field: dotted[2]!, kind: "number" };
  if (!def) {
    const known = Object.keys(KNOWN).filter((k) => k !== "family");
    throw badAxis(arg, `unknown axis "${name}"`, `vary one of ${known.join(", ")}, or any field as spec.<field> / recipe.<field>`);
  }
  // Commas inside brackets belong to a list value ("hidden=[64,32],[128]").
  const labels = splitOverrides(rest).map((v) => v.trim()).filter((v) => v !== "");
  if (labels.length < 1) throw new InputError("BAD_AXIS_VALUE", `--vary ${name}: no values`, { hint: `give values separated by commas, e.g. ${name}=…,…` });
  const values = labels.map((l) => readValue(name, def!.kind, l));
  const seen = new Set<string>();
  for (let i = 0; i < values.length; i++) {
    const k = JSON.stringify(values[i]);
    if (seen.has(k)) throw new InputError("BAD_AXIS_VALUE", `--vary ${name}: the value ${labels[i]} is listed twice`, { hint: "list each value once" });
    seen.add(k);
  }
  return { name, target: def.target, field: def.field, values, labels };
}

/** Parses every --vary; the same field twice is an error (its values belong in one list). */
export function parseAxes(args: readonly string[]): Axis[] {
  if (!args.length) throw new InputError("NO_AXIS", "compare needs at least one --vary <axis>=<values>", { hint: "e.g. --vary width=0.25,1,4" });
  const axes = args.map(parseAxis);
  const fields = new Set<string>();
  for (const a of axes) {
    const key = `${a.target}.${a.field}`;
    if (fields.has(key)) throw new InputError("BAD_AXIS", `--vary ${a.name} is given twice`, { hint: `put all its values in one list, e.g. --vary ${a.name}=${a.labels.join(",")},…` });
    fields.add(key);
  }
  return axes;
}

/** How many variants the axes give (before de-duplication). */
export const variantCount = (axes: readonly Axis[]) => axes.reduce((p, a) => p * a.values.length, 1);

/**
 * The cross product of the axes applied to the base spec. `parseFamily` turns a family name into a spec (the
 * engine's parseModelArg); a family change keeps the base spec's family-independent fields (width, depth, dropout,
 * labelSmoothing). `validate` is the engine's check; its error is re-thrown naming the axis and value.
 */
export function expandVariants(
  axes: readonly Axis[],
  base: { spec: JsonObject; recipe?: JsonObject },
  o: { parseFamily(name: string): JsonObject; validate(spec: JsonObject, recipe: JsonObject): void },
): Variant[] {
  let combos: { values: Record<string, unknown>; labels: string[] }[] = [{ values: {}, labels: [] }];
  for (const a of axes) {
    combos = combos.flatMap((c) => a.values.map((v, i) => ({ values: { ...c.values, [key(a)]: v }, labels: [...c.labels, `${a.name}=${a.labels[i]}`] })));
  }
  const out: Variant[] = [];
  const seen = new Map<string, string>();
  for (const c of combos) {
    let spec: JsonObject = { ...base.spec };
    const recipe: JsonObject = {};
    for (const a of axes) {
      const v = c.values[key(a)];
      if (a.target === "model") {
        let fam: JsonObject;
        try {
          fam = o.parseFamily(String(v));
        } catch (err) {
          throw new InputError("BAD_AXIS_VALUE", `--vary ${a.name}=${String(v)}: ${(err as Error).message}`, { hint: "give model family names such as mlp,cnn,resnet", cause: err });
        }
        const keep = Object.fromEntries(["width", "depth", "dropout", "labelSmoothing"].filter((k) => k in base.spec).map((k) => [k, base.spec[k]]));
        // Family-specific fields of the base (hidden, channels, …) do not carry over to another family.
        spec = { ...keep, ...fam };
      }
    }
    for (const a of axes) {
      const v = c.values[key(a)];
      if (a.target === "spec") {
        if (!(a.field in base.spec) && SPEC_DEFAULTS[a.field] === v) delete spec[a.field];
        else spec[a.field] = v;
      } else if (a.target === "recipe") recipe[a.field] = v;
    }
    const label = c.labels.join(", ");
    try {
      o.validate(spec, { ...base.recipe, ...recipe });
    } catch (err) {
      throw new InputError("BAD_AXIS_VALUE", `--vary ${label}: ${(err as Error).message}`, { hint: "check the axis values against the model family and recipe", cause: err });
    }
    const id = "v" + stableHash({ spec, recipe }, 8);
    if (seen.has(id)) throw new InputError("BAD_AXIS_VALUE", `--vary: ${label} is the same model and recipe as ${seen.get(id)}`, { hint: "drop one of the two values" });
    seen.set(id, label);
    out.push({ id, label, values: c.values, spec, recipe });
  }
  return out;
}

const key = (a: Axis) => (a.target === "model" ? "model" : a.field);
