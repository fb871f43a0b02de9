import { describe, expect, it } from "vitest";
import { curvePointsFromCsv, parseCsv } from "../../src/curves/index.js";
import { InputError } from "../../src/errors.js";

describe("parseCsv", () => {
  it("handles a BOM, CRLF, quotes, escaped quotes, spaces, blank and comment lines", () => {
    const t = parseCsv('\uFEFF n , "score"\r\n# a comment\r\n\r\n 10 , "0.5"\r\n"2,0",  "a ""q"""\r\n');
    expect(t.header).toEqual(["n", "score"]);
    expect(t.rows).toEqual([
      { line: 4, fields: ["10", "0.5"] },
      { line: 5, fields: ["2,0", 'a "q"'] },
    ]);
  });
  it("rejects an empty file and an unclosed quote", () => {
    expect(() => parseCsv("", "f.csv")).toThrow(/f.csv: the file is empty/);
    expect(() => parseCsv('n,score\n1,"0.5\n', "f.csv")).toThrow(/not closed/);
  });
});

describe("curvePointsFromCsv", () => {
  it("reads n, score and seed", () => {
    expect(curvePointsFromCsv("n,score,seed\n100,0.5,1\n100,0.55,a\n")).toEqual([
      { n: 100, score: 0.5, seed: 1 },
      { n: 100, score: 0.55, seed: "a" },
    ]);
  });
  it("accepts a score column named after the metric", () => {
    expect(curvePointsFromCsv("n,accuracy\n10,0.5\n", "x.csv", { metric: "accuracy" })).toEqual([{ n: 10, score: 0.5 }]);
  });
  it("names the file, line and field at fault", () => {
    expect(() => curvePointsFromCsv("x,acc\n1,2\n", "c.csv")).toThrow(/c.csv: missing columns n, score/);
    expect(() => curvePointsFromCsv("n,score\n10,0.5\n20,abc\n", "c.csv")).toThrow(/c.csv: line 3: field "score" is not a number: "abc"/);
    expect(() => curvePointsFromCsv("n,score\n10,\n", "c.csv")).toThrow(/line 2: field "score" is empty/);
    expect(() => curvePointsFromCsv("n,score\n0,0.5\n", "c.csv")).toThrow(/positive size/);
    expect(() => curvePointsFromCsv("n,score\n", "c.csv")).toThrow(InputError);
  });
});
