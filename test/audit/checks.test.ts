import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { audit, AUDIT_CHECKS, CHECK_NAMES, selectChecks, type AuditProgress } from "../../src/audit/index.js";
import { InputError } from "../../src/errors.js";
import { tmp, writeTabular } from "./fixtures.js";

describe("the check registry", () => {
  it("one check per name, each declaring its issue types and needs", () => {
    expect(new Set(CHECK_NAMES).size).toBe(AUDIT_CHECKS.length);
    for (const c of AUDIT_CHECKS) {
      expect(c.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(c.types.length).toBeGreaterThan(0);
    }
  });
  it("selects in registry order, with --skip applied after --checks", () => {
    expect(selectChecks(["bias", "missing"]).map((c) => c.name)).toEqual(["missing", "bias"]);
    expect(selectChecks(undefined, ["label"]).map((c) => c.name)).toEqual(CHECK_NAMES.filter((n) => n !== "label"));
  });
  it("an unknown name is a typed error listing the valid ones", () => {
    let err: unknown;
    try {
      selectChecks(["missing", "lables"]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe("AUDIT_CHECK");
    expect((err as InputError).message).toContain("lables");
    expect((err as InputError).hint).toContain(CHECK_NAMES.join(", "));
    expect(() => selectChecks(["missing"], ["missing"])).toThrow(InputError);
  });
});

describe("audit({checks, skip})", () => {
  let file: string;
  let cache: string;
  beforeAll(() => {
    const dir = tmp();
    file = writeTabular(dir).file;
    cache = join(dir, "cache");
  });

  it("--checks runs only the named checks", async () => {
    const phases: string[] = [];
    const r = await audit({ source: file, target: "label", groups: ["site"], cacheRoot: cache }, { noModel: true, checks: ["missing", "duplicates"], onProgress: (p: AuditProgress) => phases.push(p.phase) });
    expect(phases.filter((p) => p.startsWith("check: "))).toEqual(["check: missing values", "check: exact duplicates and leakage"]);
    for (const i of r.issues) expect(["missing", "duplicate", "conflicting_label", "leakage"]).toContain(i.type);
    expect(r.issues.map((i) => i.type)).toContain("missing");
    // the balance section belongs to the balance check
    expect(r.balance).toBeNull();
  }, 60_000);

  it("skipping every check that needs out-of-fold predictions skips the training", async () => {
    const phases: string[] = [];
    const r = await audit({ source: file, target: "label", groups: ["site"], cacheRoot: cache }, { skip: ["label", "diversity", "bias"], onProgress: (p: AuditProgress) => phases.push(p.phase) });
    expect(phases).not.toContain("train");
    expect(phases.some((p) => p.startsWith("fold") || p === "curves")).toBe(false);
    expect(r.model).toBeNull();
    expect(r.groupCurves).toEqual([]);
    expect(r.issues.map((i) => i.type)).toContain("duplicate");
  }, 60_000);

  it("an unknown name fails before the data is loaded", async () => {
    const phases: string[] = [];
    await expect(audit({ source: file, target: "label", cacheRoot: cache }, { skip: ["nope"], onProgress: (p) => phases.push(p.phase) })).rejects.toThrow(/unknown audit check: nope/);
    expect(phases).toEqual([]);
  });
});
