/**
 * The one shape every audit check has (cleanlab Datalab's issue managers are the model): a name to select it by,
 * what it needs from the audit, and a run that returns its issues. audit.ts runs the selected checks in registry
 * order and prepares each need once, and only when a selected check declares it: the out-of-fold training, the
 * costly one, is skipped entirely when no selected check needs it.
 */
import type { AuditContext } from "./context.js";
import type { AuditSections } from "./sections.js";
import type { Issue, IssueType } from "./types.js";

/**
 * What a check reads besides the encoded Dataset (always there).
 * - `raw`: the source's raw cells (tables and text; null for images and built-ins).
 * - `labels`: a classification target.
 * - `oof`: out-of-fold class probabilities and embeddings (`ctx.model`); null with --no-model or a regression target.
 * - `groups`: the --group columns.
 * - `image-folder`: the image files themselves (an image folder source).
 */
export type AuditNeed = "raw" | "labels" | "oof" | "groups" | "image-folder";

export interface CheckResult {
  issues: Issue[];
  /** The report sections this check fills (balance, diversity, bias). */
  sections?: Partial<AuditSections>;
}

export interface AuditCheck {
  /** Selects the check in `--checks` / `--skip` and `audit({checks, skip})`: lower-case, hyphenated. */
  readonly name: string;
  /** The progress phase while it runs ("check: <title>"). */
  readonly title: string;
  /** The issue types it can report. */
  readonly types: readonly IssueType[];
  /** Prepared for it when it is selected. A need that cannot be met reaches it as null; it reports what it can. */
  readonly needs: readonly AuditNeed[];
  /** Used when another selected check has them prepared, never prepared for this one alone (an optional extra). */
  readonly uses?: readonly AuditNeed[];
  run(ctx: AuditContext): CheckResult | Promise<CheckResult>;
}
