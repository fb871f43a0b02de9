/**
 * How numbers are spelled in words, the same in every layer (findings, planner decisions, reports, the CLI): one
 * place, so a count reads the same in the terminal, the report and the store's decision log.
 */

/** A whole count with thousands separators: 12,345. */
export const int = (n: number): string => Math.round(n).toLocaleString("en-US");

/** A count rounded to 2 significant digits (3 from 100,000): what an estimate with an interval can honestly claim. */
export const roughCount = (n: number): string => (n >= 1000 ? int(Number(n.toPrecision(n >= 100_000 ? 3 : 2))) : int(n));

/** A compact count for chart labels: 9,500, 12k, 1.50M. */
export const shortCount = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toPrecision(3)}M` : n >= 1e4 ? `${Math.round(n / 1e3)}k` : int(n));
