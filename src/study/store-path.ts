/**
 * What a --store argument names. A plain path is the SQLite file. Optuna users write storages as SQLAlchemy URLs,
 * so `sqlite:///rel.db` (relative: three slashes) and `sqlite:////abs/path.db` (absolute: four) name the same file
 * as `rel.db` and `/abs/path.db`; any other scheme (postgresql://, redis://, file:) is refused, never read as a
 * folder named `sqlite:` or `postgresql:`.
 */
import { InputError } from "../errors.js";

// A URL scheme as RFC 3986 spells it; at least two letters, so that a Windows drive (C:\x.db) stays a path.
const SCHEME = /^([a-z][a-z0-9+.-]+):/i;

/** The file path a --store argument names (typed InputError STORE_URL for a URL enough cannot use). */
export function storeFilePath(arg: string): string {
  const m = SCHEME.exec(arg);
  if (!m) return arg;
  const scheme = m[1]!.toLowerCase();
  if (scheme === "sqlite") {
    const rest = arg.slice(m[0].length);
    // SQLAlchemy: sqlite:// + "/" + the path; "sqlite://" alone or ":memory:" is an in-memory database, which would
    // lose every Run when the command ends.
    const path = rest.startsWith("///") ? rest.slice(3) : null;
    if (path && path !== ":memory:" && !path.includes("?")) return path;
    throw new InputError("STORE_URL", `--store ${arg}: not a SQLite file URL enough can use`, {
      hint: "write sqlite:///relative/path.db or sqlite:////absolute/path.db (SQLAlchemy's spelling), or just the file path; the store must be a file (no :memory:, no ?query)",
      details: { field: "store" },
    });
  }
  throw new InputError("STORE_URL", `--store ${arg}: the store is a SQLite file; ${scheme}: storages are not supported`, {
    hint: "give a file path such as .enough/enough.db (or sqlite:///path.db)",
    details: { field: "store" },
  });
}
