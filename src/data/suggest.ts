/** "Did you mean …?" for misspelled column names. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** Up to `max` candidates close to `name` (case-insensitive distance), best first. */
export function closestNames(name: string, candidates: string[], max = 3): string[] {
  const n = name.toLowerCase();
  return candidates
    .map((c) => {
      const l = c.toLowerCase();
      const d = l === n ? 0 : l.includes(n) || n.includes(l) ? 1 : levenshtein(n, l);
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
