/**
 * Intra-op thread choice per call. libtorch's OpenMP pool is fastest with one thread per free core on an idle
 * machine (the benchmark CNN trains fastest with 2 threads on 2 cores), but when another process holds a core,
 * every parallel region waits for the descheduled thread: measured here, 2 threads ran 1.2-1.5x slower than 1
 * while other processes kept the load at 5-8 (and 10-50x slower with spinning waits, which OMP_WAIT_POLICY=PASSIVE
 * in native.ts rules out). So the default adapts: threads = cores this process may use minus the cores other
 * processes kept busy since the previous call (from /proc/stat minus /proc/self/stat; the 1-minute load average
 * on the first call), rounded, at least 1. ENOUGH_THREADS=<n> or recipe.threads fixes it instead.
 */
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";

const CLK_TCK = 100; // Linux USER_HZ; /proc reports CPU time in these ticks

let last: { t: number; busy: number; own: number } | undefined;
let othersEstimate: number | undefined;

function sample(): { t: number; busy: number; own: number } | undefined {
  try {
    const cpu = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    const busy = total - (cpu[3] ?? 0) - (cpu[4] ?? 0);
    const stat = readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const own = Number(f[11]) + Number(f[12]); // utime + stime of all threads
    return { t: performance.now() / 1000, busy, own };
  } catch {
    return undefined;
  }
}

/** Cores busy with other processes, averaged since the previous call (undefined where /proc is missing). */
function othersBusy(): number | undefined {
  const s = sample();
  if (!s) return undefined;
  if (last && s.t - last.t >= 0.25) {
    othersEstimate = Math.max(0, (s.busy - last.busy - (s.own - last.own)) / CLK_TCK / (s.t - last.t));
    last = s;
  } else if (!last) {
    last = s;
    othersEstimate = Math.max(0, loadavg()[0]!);
  }
  return othersEstimate;
}

/** Threads for the next native call. */
export function chooseThreads(): number {
  const fixed = Number(process.env.ENOUGH_THREADS);
  const cores = Math.max(1, availableParallelism());
  if (Number.isInteger(fixed) && fixed > 0) return fixed;
  const others = othersBusy();
  if (others === undefined) return cores;
  return Math.min(cores, Math.max(1, Math.round(cores - others)));
}
