/**
 * Learns cheaply that the store changed and which studies it touched. Every poll reads SQLite's data_version (a
 * counter that moves when another connection commits: no table is read); only when it moved, one aggregate query
 * gives each study's status and its Runs' counts and last change, and the studies whose line differs are reported.
 */
import type { Store, StudyCounts } from "../study/store.js";

/** Each study's line: its status and its Runs' counts (one query over the link table). */
export function studyLines(store: Store): Map<string, StudyCounts> {
  return new Map(store.studyCounts().map((r) => [r.id, r]));
}

/** A study line as one comparable string: equal strings, nothing to re-read. */
export const lineKey = (l: StudyCounts) => `${l.status}|${l.updated}|${l.runs}|${l.done}|${l.failed}|${l.running}|${l.last}`;

export class StoreWatch {
  private version = -1;
  private lines = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(changed: string[], removed: string[]) => void>();

  constructor(private readonly store: Store, private readonly pollMs = 250) {
    this.lines = new Map([...studyLines(store)].map(([id, l]) => [id, lineKey(l)]));
    this.version = store.dataVersion();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.poll(), this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  on(f: (changed: string[], removed: string[]) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  /** One look; `force` re-reads the lines even if no other connection committed (after this process's own write). */
  poll(force = false): void {
    const v = this.store.dataVersion();
    if (v === this.version && !force) return;
    this.version = v;
    const now = new Map([...studyLines(this.store)].map(([id, l]) => [id, lineKey(l)]));
    const changed = [...now].filter(([id, k]) => this.lines.get(id) !== k).map(([id]) => id);
    const removed = [...this.lines.keys()].filter((id) => !now.has(id));
    this.lines = now;
    if (changed.length || removed.length) for (const f of this.listeners) f(changed, removed);
  }
}
