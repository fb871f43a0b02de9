/**
 * The engine version a Run id hashes ("enough <version>; torch <version>"): one spelling for the coordinator (the
 * study kit) and the queue worker, which refuses a Run queued by a different build.
 */
import { readFileSync } from "node:fs";

/** enough's own version, from package.json next to src/ or dist/ ("0" when it cannot be read). */
export function enoughVersion(): string {
  for (const rel of ["../../package.json", "../../../package.json"]) {
    try {
      return JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")).version;
    } catch {
      /* try the next layout */
    }
  }
  // An unknown version only weakens run-id re-use across releases.
  return "0";
}

export function engineVersionOf(torchVersion: string, version = enoughVersion()): string {
  return `enough ${version}; torch ${torchVersion}`;
}
