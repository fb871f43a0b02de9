import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blasCandidates, chooseBlasCoreType, chooseLayout, cpuProfile, layoutRule, machineCacheFile, machineKey } from "../../src/engine/machine.js";

const AVX512 = "fpu sse4_2 avx avx2 fma avx512f avx512bw avx512vl avx512dq avx512cd";
const cpuinfo = (vendor: string, model: string, flags: string) => `processor\t: 0\nvendor_id\t: ${vendor}\nmodel name\t: ${model}\nflags\t\t: ${flags}\n`;
const xeon = cpuinfo("GenuineIntel", "Intel(R) Xeon(R) Platinum 8375C", AVX512);
const epyc2 = cpuinfo("AuthenticAMD", "AMD EPYC 7B12", "fpu sse4_2 avx avx2 fma");
const epyc4 = cpuinfo("AuthenticAMD", "AMD EPYC 9B14", AVX512);

describe("per-machine speed choices", () => {
  it("reads the vendor and instruction set, and the environment's restriction of it", () => {
    expect(cpuProfile({}, xeon)).toMatchObject({ vendor: "intel", hardwareIsa: "avx512", isa: "avx512", restriction: null });
    expect(cpuProfile({ DNNL_MAX_CPU_ISA: "AVX2" }, xeon)).toMatchObject({ hardwareIsa: "avx512", isa: "avx2", restriction: "DNNL_MAX_CPU_ISA=AVX2" });
    expect(cpuProfile({ ATEN_CPU_CAPABILITY: "avx2" }, epyc4)).toMatchObject({ vendor: "amd", isa: "avx2" });
    // a restriction above what the hardware has changes nothing
    expect(cpuProfile({ DNNL_MAX_CPU_ISA: "AVX512_CORE" }, epyc2)).toMatchObject({ isa: "avx2", restriction: null });
    expect(cpuProfile({}, cpuinfo("Other", "riscv", "")).isa).toBe("baseline");
  });

  it("settles by rule what is known and leaves the rest to a measurement", () => {
    expect(blasCandidates(cpuProfile({}, xeon))).toEqual(["SkylakeX"]);
    expect(blasCandidates(cpuProfile({ DNNL_MAX_CPU_ISA: "AVX2" }, xeon))).toEqual(["Haswell"]);
    expect(blasCandidates(cpuProfile({}, epyc2))).toEqual(["Zen", "Haswell"]);
    expect(blasCandidates(cpuProfile({}, epyc4)).length).toBe(3);
    expect(layoutRule(cpuProfile({}, xeon))?.value).toBe(true);
    expect(layoutRule(cpuProfile({ DNNL_MAX_CPU_ISA: "AVX2" }, xeon))).toBeUndefined();
    expect(layoutRule(cpuProfile({}, epyc2))).toBeUndefined();
  });

  it("keeps one cache per CPU, restriction and engine build", () => {
    const a = machineKey(cpuProfile({}, xeon), undefined);
    expect(machineKey(cpuProfile({ DNNL_MAX_CPU_ISA: "AVX2" }, xeon), undefined)).not.toBe(a);
    expect(machineKey(cpuProfile({}, epyc4), undefined)).not.toBe(a);
    expect(machineKey(cpuProfile({}, xeon), undefined)).toBe(a);
  });

  it("lets the user's OPENBLAS_CORETYPE win, and reads a measured choice back from the cache", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-machine-"));
    const env = { ENOUGH_MACHINE_CACHE: dir };
    const amd = cpuProfile({}, epyc2);
    expect(chooseBlasCoreType(amd, undefined, { ...env, OPENBLAS_CORETYPE: "Haswell" }).choice).toMatchObject({ value: "Haswell", why: expect.stringContaining("environment") });
    expect(chooseBlasCoreType(amd, undefined, { ...env, ENOUGH_CALIBRATE: "0" }).choice.value).toBe("Zen");
    const file = machineCacheFile(machineKey(amd, undefined), env);
    writeFileSync(file, JSON.stringify({ blasCoreType: { value: "Haswell", why: "measured", measured: { Zen: 1, Haswell: 2 } } }));
    expect(chooseBlasCoreType(amd, undefined, env).choice.value).toBe("Haswell");
  });

  it("measures the layout once, keeps a clear winner, and NCHW within 5%", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-machine-"));
    const amd = cpuProfile({}, epyc2);
    let calls = 0;
    const fast = (rate: number) => async (cl: boolean) => (calls++, cl ? rate : 100);
    const file = join(dir, "a.json");
    const c = await chooseLayout(amd, file, fast(130), {});
    expect(c.value).toBe(true);
    expect(calls).toBe(4);
    await chooseLayout(amd, file, fast(130), {});
    expect(calls).toBe(4); // decided once per process
    expect(JSON.parse(readFileSync(file, "utf8")).channelsLast.value).toBe(true);
    expect((await chooseLayout(amd, join(dir, "b.json"), fast(103), {})).value).toBe(false);
    // the rule needs no measurement
    expect((await chooseLayout(cpuProfile({}, xeon), join(dir, "c.json"), async () => { throw new Error("measured"); }, {})).value).toBe(true);
  });
});
