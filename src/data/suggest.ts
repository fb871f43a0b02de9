/** "Did you mean …?" for misspelled column names. */
import { editDistance } from "./edit-distance.js";

/** Up to `max` candidates close to `name` (case-insensitive distance), best first. */
export function closestNames(name: string, candidates: string[], max = 3): string[] {
  const n = name.toLowerCase();
  return candidates
    .map((c) => {
      const l = c.toLowerCase();
      const d = l === n ? 0 : l.includes(n) || n.includes(l) ? 1 : editDistance(n, l, { transpositions: false });
      return { c, d };
    })
    .filter((x) => x.d <= Math.max(2, Math.floor(name.length / 3)))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((x) => x.c);
}

/** An InputError hint for an unknown column. */
export function unknownColumnHint(name: string, columns: string[]): string {
  const near = closestNames(name, columns);
  const shown = columns.length > 20 ? columns.slice(0, 20).join(", ") + ", …" : columns.join(", ");
  return (near.length ? `did you mean ${near.map((c) => `'${c}'`).join(" or ")}? ` : "") + `columns are: ${shown}`;
}
