import { describe, expect, it } from "vitest";
import { engineInfo, train } from "../../src/engine/index.js";
import { chooseThreads } from "../../src/engine/threads.js";
import { availableParallelism } from "node:os";
import { blobs, range, squares } from "./fixtures.js";

describe("engine: runtime behaviour", () => {
  it("engineInfo names libtorch, threads and the BLAS", () => {
    const i = engineInfo();
    expect(i.torchVersion).toMatch(/^\d+\.\d+/);
    expect(i.threads).toBeGreaterThanOrEqual(1);
    expect(typeof i.blas).toBe("string");
    expect(typeof i.cuda).toBe("boolean");
  });

  it("chooses between 1 and all cores by default; ENOUGH_THREADS fixes it", () => {
    const t = chooseThreads();
    expect(t).toBeGreaterThanOrEqual(1);
    expect(t).toBeLessThanOrEqual(availableParallelism());
    const saved = process.env.ENOUGH_THREADS;
    process.env.ENOUGH_THREADS = "3";
    try {
      expect(chooseThreads()).toBe(3);
    } finally {
      if (saved === undefined) delete process.env.ENOUGH_THREADS;
      else process.env.ENOUGH_THREADS = saved;
    }
  });

  it("does not block the event loop while training", async () => {
    const d = squares(400);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const { model } = await train({ family: "cnn", width: 0.5 }, d, { train: range(0, 400) }, { threads: 1, epochs: 3, batchSize: 16 });
    clearInterval(timer);
    model.dispose();
    // The timer must have fired during the training (a blocked loop would show 0 or 1 ticks).
    // Unconditional: three CNN epochs on 400 images take far longer than 3 ticks of 5 ms, so a blocked loop
    // (0 or 1 ticks) always fails here; the old guard on the elapsed time let a fast machine skip the assertion.
    expect(ticks).toBeGreaterThan(2);
  });

  it("runs several trainings concurrently in one process", async () => {
    const d = blobs(300);
    const runs = await Promise.all(
      [1, 2, 3, 1].map((seed) => train({ family: "mlp", hidden: [16] }, d, { train: range(0, 240), valid: range(240, 300) }, { threads: 1, seed, epochs: 4 })),
    );
    for (const { model, result } of runs) {
      expect(result.history.at(-1)!.validMetric!).toBeGreaterThan(0.6);
      model.dispose();
    }
    // Seeded runs stay reproducible under concurrency (per-run shuffle RNG and dropout generator; init under a lock).
    expect(runs[3]!.result.history.map((h) => h.trainLoss)).toEqual(runs[0]!.result.history.map((h) => h.trainLoss));
  });

  // Under AddressSanitizer (scripts/native-memcheck.sh) freed memory is held in ASan's quarantine, so RSS says
  // nothing about leaks there; that run checks leaks with valgrind instead.
  it.skipIf(process.env.ENOUGH_MEMCHECK === "asan")("1,000 train/dispose cycles of a small model do not grow RSS by more than 50 MB", async () => {
    const d = blobs(64, 8);
    const rows = range(0, 64);
    const cycle = async () => {
      const { model } = await train({ family: "mlp", hidden: [8] }, d, { train: rows }, { threads: 1, epochs: 1, batchSize: 32 });
      await model.predict(d, rows);
      model.dispose();
    };
    for (let i = 0; i < 50; i++) await cycle(); // warm up allocator pools and thread caches
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 1000; i++) await cycle();
    (globalThis as { gc?: () => void }).gc?.();
    const grown = (process.memoryUsage().rss - before) / 2 ** 20;
    expect(grown).toBeLessThan(50);
  });
});
