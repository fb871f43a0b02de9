// The spellings practitioners bring (issue 19, "conventions"): scikit-learn's metric names and train_sizes
// fractions, Optuna's sqlite:/// storage URLs; and stored Runs measured before a metric existed.
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { metricInfo } from "../../src/curves/metric.js";
import { orientation } from "../../src/curves/orientation.js";
import { parseSizes, readSizes } from "../../src/data/subsets.js";
import { InputError } from "../../src/errors.js";
import { checkMetric, measuredBefore, scoreOf, studyMetricName } from "../../src/study/metrics.js";
import { runInputs } from "../../src/study/run.js";
import { storeFilePath } from "../../src/study/store-path.js";
import { Store } from "../../src/study/store.js";
import { estimate } from "../../src/study/estimate.js";
import { InProcessExecutor, fakeDeps } from "./fixtures/fake-deps.js";
import { fakeResult } from "./fixtures/fake-run.js";

const tmp = () => mkdtempSync(join(tmpdir(), "enough-conv-"));

describe("metric names", () => {
  it("neg_ names are higher-is-better with mirrored bounds, and fit in the same error space as the metric", () => {
    const n = metricInfo("neg_log_loss");
    expect(n).toMatchObject({ name: "neg_log_loss", direction: "up", upper: 0 });
    expect(n.lower).toBeUndefined();
    expect(metricInfo("neg_mean_absolute_error")).toMatchObject({ direction: "up", upper: 0 });
    expect(metricInfo("NEG-Mean-Squared-Error")).toMatchObject({ name: "neg_mean_squared_error", direction: "up", upper: 0 });
    // The curve of -loss in error space is the curve of loss.
    expect(orientation(n).toE(-0.3)).toBeCloseTo(orientation(metricInfo("log_loss")).toE(0.3), 12);
    expect(metricInfo("mean_absolute_error").direction).toBe("down");
  });

  it("studies read f1 (macro), balanced accuracy, AUC, MAE and the neg_ scorers from a Run's evaluation", () => {
    expect(["f1_macro", "ROC-AUC", "roc_auc_ovr", "mean_absolute_error", "acc"].map(studyMetricName)).toEqual(["f1", "auc", "auc", "mae", "accuracy"]);
    const m = { loss: 0.4, accuracy: 0.8, f1: 0.7, balancedAccuracy: 0.75, auc: 0.9, n: 10 };
    expect(scoreOf(m, "f1")).toBe(0.7);
    expect(scoreOf(m, "balanced_accuracy")).toBe(0.75);
    expect(scoreOf(m, "auc")).toBe(0.9);
    expect(scoreOf(m, "neg_log_loss")).toBe(-0.4);
    const r = { loss: 4, mse: 4, r2: 0.5, mae: 1.5, n: 10 };
    expect(scoreOf(r, "mae")).toBe(1.5);
    expect(scoreOf(r, "neg_mean_absolute_error")).toBe(-1.5);
    expect(scoreOf(r, "neg_root_mean_squared_error")).toBe(-2);
    expect(() => checkMetric("mae", "classification")).toThrow(/not available for classification/);
    expect(() => checkMetric("f1", "regression")).toThrow(InputError);
  });

  it("a Run stored before the prediction metrics existed is marked for a study that reads one", () => {
    const old = { test: { loss: 0.4, accuracy: 0.8, n: 10 } };
    expect(measuredBefore(old, "f1")).toBe(true);
    expect(measuredBefore(old, "accuracy")).toBe(false);
    expect(measuredBefore({ test: { ...old.test, f1: 0.7 } }, "auc")).toBe(false);
  });
});

describe("--sizes as fractions of the pool", () => {
  it("reads decimals in (0, 1] as fractions (scikit-learn's train_sizes); counts stay counts", () => {
    expect(parseSizes("0.1,0.5,1.0", 2000)).toEqual([200, 1000, 2000]);
    expect(parseSizes(".25, 1.", 400)).toEqual([100, 400]);
    expect(parseSizes("0.1,50%,all", 1000)).toEqual([100, 500, 1000]);
    expect(parseSizes("1.5k,100", 2000)).toEqual([100, 1500]);
    expect(parseSizes("1", 2000)).toEqual([1]);
    expect(parseSizes("0.0001", 2000)).toEqual([1]);
  });

  it("refuses a fraction above 1 and fractions mixed with counts, before any pool is known", () => {
    expect(() => readSizes("0.5,1.5")).toThrow(/'1.5' has a decimal point.*\(0, 1\]/);
    expect(() => readSizes("0.1,0.5,1")).toThrow(/'0.1' is a fraction of the pool and '1' a count/);
    expect(() => readSizes("0.1,0.5,1")).toThrow(InputError);
    try {
      readSizes("0.5,100");
    } catch (err) {
      expect((err as InputError).code).toBe("BAD_SIZES");
      expect((err as InputError).hint).toMatch(/every size as a fraction/);
    }
    expect(() => readSizes("0,0.5")).toThrow(/'0' is not a positive size/);
  });

  it("a study resolves fractions against its pool", async () => {
    const report = await estimate(
      { data: "fake", sizes: "0.1,0.2,0.4,0.8", seeds: 1, store: join(tmp(), "e.db") },
      { deps: fakeDeps({ executor: () => new InProcessExecutor(2) }) },
    );
    const pool = report.data.poolSize;
    expect(report.question.sizes).toEqual([0.1, 0.2, 0.4, 0.8].map((f) => Math.round(pool * f)));
  });
});

describe("--store as a SQLAlchemy URL", () => {
  it("sqlite:///rel and sqlite:////abs name files; other schemes and in-memory URLs are refused", () => {
    expect(storeFilePath(".enough/enough.db")).toBe(".enough/enough.db");
    expect(storeFilePath("sqlite:///runs/e.db")).toBe("runs/e.db");
    expect(storeFilePath("sqlite:////tmp/x/e.db")).toBe("/tmp/x/e.db");
    expect(storeFilePath("C:\\data\\e.db")).toBe("C:\\data\\e.db");
    expect(storeFilePath(":memory:")).toBe(":memory:");
    for (const bad of ["sqlite://", "sqlite:///:memory:", "sqlite:///e.db?mode=ro", "sqlite:relative.db", "postgresql://u@h/db", "redis://localhost", "file:///tmp/e.db"]) {
      expect(() => storeFilePath(bad), bad).toThrow(InputError);
    }
    expect(() => storeFilePath("mysql://x")).toThrow(/mysql: storages are not supported/);
  });

  it("Store.open takes the URL and creates no folder named sqlite:", () => {
    const dir = tmp();
    const store = Store.open(`sqlite:///${join(dir, "s.db")}`); // an absolute path: four slashes
    expect(store.path).toBe(join(dir, "s.db"));
    store.close();
    expect(existsSync(join(dir, "s.db"))).toBe(true);
    expect(existsSync("sqlite:")).toBe(false);
  });
});

describe("re-use of Runs stored before a metric existed", () => {
  it("claimRun re-claims a finished Run the caller must measure again, and re-uses it otherwise", () => {
    const store = Store.open(join(tmp(), "s.db"));
    const inputs = runInputs({ fingerprint: "fp", subset: { size: 100, seed: 0 }, spec: { family: "mlp" }, recipe: { lr: 0.001 }, validFraction: 0.15 }, "e1");
    const id = "r-old";
    expect(store.claimRun(id, inputs).state).toBe("claimed");
    const job = { runId: id, cacheDir: "", fingerprint: "fp", subset: { size: 100, seed: 0 }, spec: { family: "fake" }, recipe: {}, validFraction: 0.15 };
    store.finishRun(id, fakeResult(job));
    const redo = (r: { result: { metrics: { test: { loss: number; n: number } } } | null }) => !!r.result && measuredBefore(r.result.metrics, "f1");
    expect(store.claimRun(id, inputs).state).toBe("done");
    expect(store.claimRun(id, inputs, { redo: (r) => !!r.result && measuredBefore(r.result.metrics, "accuracy") }).state).toBe("done");
    expect(store.claimRun(id, inputs, { redo }).state).toBe("claimed");
    store.close();
  });
});
