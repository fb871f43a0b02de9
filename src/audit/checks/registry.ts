/**
 * Every audit check, in the order they run: the cell-level checks first, then the content and balance checks,
 * then the model-based ones (their out-of-fold training happens just before the first of them). A new check is one
 * file in this folder exporting an `AuditCheck`, and one line here.
 */
import { InputError } from "../../errors.js";
import type { AuditCheck } from "../check.js";
import { missingCheck } from "./missing.js";
import { columnsCheck } from "./columns.js";
import { mixedTypeCheck } from "./mixed-type.js";
import { outOfRangeCheck } from "./out-of-range.js";
import { categoryVariantsCheck } from "./category-variants.js";
import { piiCheck } from "./pii.js";
import { imageFormatCheck } from "./image-format.js";
import { duplicatesCheck } from "./duplicates.js";
import { balanceCheck } from "./balance.js";
import { labelCheck } from "./label.js";
import { nearDuplicatesCheck } from "./near-duplicates.js";
import { outliersCheck } from "./outliers.js";
import { diversityCheck } from "./diversity.js";
import { biasCheck } from "./bias.js";

export const AUDIT_CHECKS: readonly AuditCheck[] = [
  missingCheck,
  columnsCheck,
  mixedTypeCheck,
  outOfRangeCheck,
  categoryVariantsCheck,
  piiCheck,
  imageFormatCheck,
  duplicatesCheck,
  balanceCheck,
  labelCheck,
  nearDuplicatesCheck,
  outliersCheck,
  diversityCheck,
  biasCheck,
];

export const CHECK_NAMES: readonly string[] = AUDIT_CHECKS.map((c) => c.name);

/**
 * The checks to run: `checks` (default all) less `skip`, in registry order. An unknown name is an InputError
 * (AUDIT_CHECK, exit 2) that lists the valid ones, so a typo never silently runs nothing.
 */
export function selectChecks(checks?: readonly string[], skip?: readonly string[]): AuditCheck[] {
  const unknown = [...(checks ?? []), ...(skip ?? [])].filter((n) => !CHECK_NAMES.includes(n));
  if (unknown.length) {
    throw new InputError("AUDIT_CHECK", `unknown audit check${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`, { hint: `valid checks are: ${CHECK_NAMES.join(", ")}` });
  }
  const keep = checks && checks.length ? new Set(checks) : new Set(CHECK_NAMES);
  for (const n of skip ?? []) keep.delete(n);
  if (keep.size === 0) throw new InputError("AUDIT_CHECK", "no audit check left to run after --skip", { hint: `valid checks are: ${CHECK_NAMES.join(", ")}` });
  return AUDIT_CHECKS.filter((c) => keep.has(c.name));
}
