// Issue 11.4: personal data planted in every column kind never leaves the audit unmasked (stdout, audit.json,
// audit.md, audit.html, flagged.csv), and columns holding it are not model features unless the user keeps them.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadDataset } from "../../src/data/index.js";
import { bareCardNumber, cardNetwork, maskPiiIn } from "../../src/pii.js";
import { cli, tsx } from "../cli/fixtures/env.js";
import { rand, tmp } from "./fixtures.js";

/** A Luhn-valid number of `len` digits starting with `prefix`. */
function card(prefix: string, len: number, r: () => number): string {
  let d = prefix;
  while (d.length < len - 1) d += Math.floor(r() * 10);
  for (let c = 0; c < 10; c++) {
    const s = d + c;
    let sum = 0;
    for (let i = 0; i < s.length; i++) {
      let v = Number(s[s.length - 1 - i]);
      if (i % 2) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
      sum += v;
    }
    if (sum % 10 === 0) return s;
  }
  throw new Error("unreachable");
}

const IBANS = ["GB82WEST12345698765432", "DE89370400440532013000", "FR1420041010050500013M02606", "NL91ABNA0417164300"];
const PHONES = ["+44 20 7946 0958", "(555) 123-4567", "+1 415 555 0132"];

interface Planted {
  file: string;
  secrets: string[];
}

/**
 * Columns: 'contact' (an id column: unique e-mails), 'email' (a categorical column: 4 addresses in two spellings
 * each, which the category-variants check quotes), 'note' (free text with phones, IBANs and e-mails), 'card' (a
 * numeric column of bare card numbers), 'bank' (a constant column: one IBAN), 'x' (a real feature) and the label.
 */
function plant(dir: string, rows = 240): Planted {
  const r = rand(11);
  const secrets = new Set<string>();
  const lines = ["contact,email,note,card,bank,x,label"];
  for (let i = 0; i < rows; i++) {
    const contact = `person${i}.private@mailhost.org`;
    const base = `user${i % 4}.secret@example.com`;
    const email = i % 5 === 0 ? base.toUpperCase() : base;
    const phone = PHONES[i % PHONES.length]!;
    const iban = IBANS[i % IBANS.length]!;
    const note = `call ${phone} or pay to ${iban} or mail ${base}`;
    const c = card(["4", "51", "37", "6011"][i % 4]!, i % 4 === 2 ? 15 : 16, r);
    const x = r();
    lines.push([contact, email, `"${note}"`, c, IBANS[0], x.toFixed(4), x > 0.5 ? "hi" : "lo"].join(","));
    for (const s of [contact, email, base, phone, iban, c]) secrets.add(s);
  }
  const file = join(dir, "people.csv");
  writeFileSync(file, lines.join("\n") + "\n");
  return { file, secrets: [...secrets] };
}

/** Every output text of one audit: stdout, stderr and each file in the report folder. */
function outputs(dir: string, file: string, extra: string[]): Record<string, string> {
  const out = join(dir, `out-${extra.join("")}`);
  const args = ["--import", tsx, cli, "audit", "--data", file, "--target", "label", "--no-model", "--id", "contact", "--out", out, "--cache-root", join(dir, "cache"), ...extra];
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", timeout: 90_000 });
  expect(r.status, r.stderr).toBe(0);
  const texts: Record<string, string> = { stdout: r.stdout, stderr: r.stderr };
  for (const f of readdirSync(out)) texts[f] = readFileSync(join(out, f), "utf8");
  return texts;
}

describe("PII never leaves the audit unmasked", () => {
  it("greps stdout, audit.json, audit.md, audit.html and flagged.csv for every planted value", () => {
    const dir = tmp("enough-pii-");
    const { file, secrets } = plant(dir);
    for (const extra of [[], ["--json"]]) {
      const texts = outputs(dir, file, extra);
      expect(Object.keys(texts)).toEqual(expect.arrayContaining(["audit.json", "audit.md", "audit.html", "flagged.csv"]));
      for (const [name, text] of Object.entries(texts)) {
        const flat = text.toLowerCase();
        const digits = text.replace(/[\s-]/g, "");
        for (const s of secrets) {
          expect(flat.includes(s.toLowerCase()), `${name} leaks ${s}`).toBe(false);
          if (/^[\d +()-]+$/.test(s)) expect(digits.includes(s.replace(/\D/g, "")), `${name} leaks ${s}`).toBe(false);
        }
      }
      // ...and the checks still report what they found, masked
      const json = JSON.parse(texts["audit.json"]!);
      const types = json.issues.map((i: { type: string }) => i.type);
      expect(types).toEqual(expect.arrayContaining(["pii", "category_variants", "constant_column"]));
      const pii = json.issues.find((i: { type: string }) => i.type === "pii");
      expect(pii.details.found.map((f: { column: string; kind: string }) => `${f.column}:${f.kind}`)).toEqual(
        expect.arrayContaining(["contact:email", "email:email", "note:phone", "note:iban", "note:email", "card:payment_card", "bank:iban"]),
      );
    }
  }, 180_000);

  it("columns holding personal data are not model features unless --keep-pii-features / keepPiiFeatures", async () => {
    const dir = tmp("enough-pii-feat-");
    const { file } = plant(dir);
    const cacheRoot = join(dir, "cache");
    const ds = await loadDataset({ source: file, target: "label", cacheRoot });
    const role = (d: typeof ds, c: string) => d.schema.columns.find((x) => x.name === c)!;
    expect(role(ds, "card").role).toBe("ignored");
    expect(role(ds, "card").reason).toMatch(/personal data .*--keep-pii-features/);
    expect(role(ds, "email").role).toBe("ignored");
    expect(role(ds, "x").role).toBe("feature");
    expect(ds.report.warnings.join(" ")).toMatch(/'email'.*personal data.*--keep-pii-features/);
    const kept = await loadDataset({ source: file, target: "label", cacheRoot, keepPiiFeatures: true });
    expect(kept.fingerprint).not.toBe(ds.fingerprint);
    expect(role(kept, "card").role).toBe("feature");
    expect(role(kept, "email").role).toBe("feature");
  }, 60_000);
});

describe("bare card numbers and free-text masking", () => {
  it("a numeric cell is a card only when Luhn-valid and in a network's IIN range of the right length", () => {
    expect(bareCardNumber("4111111111111111")).toBe("4111111111111111");
    expect(bareCardNumber("4111111111111111.0")).toBe("4111111111111111");
    expect(bareCardNumber("4.111111111111111e15")).toBe("4111111111111111");
    expect(bareCardNumber("4111111111111112")).toBeNull(); // fails Luhn
    expect(bareCardNumber("1234567812345670")).toBeNull(); // Luhn-valid, no network starts with 1
    expect(cardNetwork("340000000000009")).toBe("amex");
    expect(cardNetwork("3400000000000090")).toBeNull(); // amex is 15 digits
    expect(cardNetwork("5500000000000004")).toBe("mastercard");
  });
  it("maskPiiIn masks every kind inside a sentence and leaves the rest", () => {
    const s = maskPiiIn("mail jane.doe@example.com, card 4111 1111 1111 1111, iban GB82 WEST 1234 5698 7654 32, phone +44 20 7946 0958; 3 rows");
    for (const leak of ["jane.doe", "4111 1111 1111 1111", "WEST 1234", "7946"]) expect(s).not.toContain(leak);
    expect(s).toMatch(/^mail j\*+@e\*+\.com, card \*+1111, iban GB\*+5432, phone .*; 3 rows$/);
  });
});
