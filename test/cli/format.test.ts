import { describe, expect, it } from "vitest";
import { parsePositiveInt, splitTarget } from "../../src/cli/format.js";
import { studyOptionsFrom } from "../../src/cli/study-options.js";

describe("--target in the commands that take a score goal", () => {
  it("is the goal when it reads metric=value or a number, and the label column otherwise", () => {
    expect(splitTarget("accuracy=0.9", undefined)).toEqual({ target: "accuracy=0.9", targetColumn: undefined });
    expect(splitTarget("0.9", "label")).toEqual({ target: "0.9", targetColumn: "label" });
    expect(splitTarget("label", undefined)).toEqual({ target: undefined, targetColumn: "label" });
    expect(splitTarget(undefined, "y")).toEqual({ target: undefined, targetColumn: "y" });
  });
});

describe("--label in estimate and compare", () => {
  it("names the label column like --target-column, beside a --target goal", () => {
    const o = studyOptionsFrom({ data: "x.csv", label: "price", target: "r2=0.9", sizes: "auto", seeds: "3" } as never);
    expect(o).toMatchObject({ targetColumn: "price", target: "r2=0.9" });
    expect(() => studyOptionsFrom({ data: "x.csv", label: "price", targetColumn: "cost", sizes: "auto", seeds: "3" } as never)).toThrow(/--target-column cost and --label price/);
  });
});

describe("parsePositiveInt", () => {
  it("names the flag and the bad value", () => {
    expect(parsePositiveInt("12", "--n")).toBe(12);
    expect(parsePositiveInt("0", "--seed", { allowZero: true })).toBe(0);
    expect(() => parsePositiveInt("0", "--n")).toThrow(/--n must be a positive integer, got "0"/);
    expect(() => parsePositiveInt("1.5", "--epochs")).toThrow(/--epochs/);
  });
});
