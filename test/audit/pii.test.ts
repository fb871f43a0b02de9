import { describe, expect, it } from "vitest";
import { findPii, ibanValid, luhnValid, maskValue } from "../../src/audit/index.js";
import { isNameHeader } from "../../src/audit/checks/pii.js";

describe("checksums", () => {
  it("Luhn accepts real test card numbers and rejects one-digit changes", () => {
    for (const c of ["4111111111111111", "5500000000000004", "340000000000009", "6011000000000004"]) expect(luhnValid(c), c).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
    expect(luhnValid("1234567890123")).toBe(false);
    expect(luhnValid("41111")).toBe(false);
  });
  it("IBAN mod-97 accepts valid IBANs (with spaces) and rejects altered ones", () => {
    for (const i of ["GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "FR1420041010050500013M02606", "NL91ABNA0417164300"]) expect(ibanValid(i), i).toBe(true);
    expect(ibanValid("GB82 WEST 1234 5698 7654 33")).toBe(false);
    expect(ibanValid("DE89370400440532013001")).toBe(false);
  });
});

describe("findPii", () => {
  it("finds each kind and ignores look-alikes", () => {
    const kinds = (s: string) => findPii(s).map((f) => f.kind);
    expect(kinds("write to a.b@mail.co.uk please")).toEqual(["email"]);
    expect(kinds("card 4111-1111-1111-1111")).toEqual(["payment_card"]);
    expect(kinds("card 4111-1111-1111-1112")).toEqual([]); // fails Luhn
    expect(kinds("ssn 078-05-1120")).toEqual(["us_ssn"]);
    expect(kinds("ssn 000-12-3456")).toEqual([]); // never issued
    expect(kinds("host 10.0.0.1 and 999.1.1.1")).toEqual(["ip_address"]);
    expect(kinds("phone (555) 123-4567")).toEqual(["phone"]);
    expect(kinds("on 2024-01-15 we sold 3 items for 12.50")).toEqual([]);
    expect(kinds("version 1.2.3 build 4567")).toEqual([]);
    // an e-mail in the same text used to hide every phone number (its empty digit string matched them all)
    expect(kinds("mail a@b.org or call +44 20 7946 0958")).toEqual(["email", "phone"]);
  });
  it("recognises person-name headers, not other names", () => {
    for (const h of ["name", "first_name", "LastName", "full name", "customer_name", "surname"]) expect(isNameHeader(h), h).toBe(true);
    for (const h of ["filename", "column_name", "product", "username_hash"]) expect(isNameHeader(h), h).toBe(false);
  });
});

describe("masking", () => {
  it("keeps the shape, never the value", () => {
    expect(maskValue("email", "jane.doe@example.com")).toBe("j*******@e******.com");
    expect(maskValue("payment_card", "4111 1111 1111 1111")).toBe("************1111");
    expect(maskValue("iban", "GB82 WEST 1234 5698 7654 32")).toBe("GB****************5432");
    expect(maskValue("us_ssn", "123-45-6789")).toBe("***-**-6789");
    expect(maskValue("ip_address", "192.168.10.42")).toBe("192.*.*.*");
    expect(maskValue("person_name", "Ada Lovelace")).toBe("A** L*******");
    expect(maskValue("phone", "+44 20 7946 0958")).not.toContain("7946");
  });
});
