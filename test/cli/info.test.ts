import { describe, expect, it } from "vitest";
import { runInfo } from "../../src/cli/commands/info.js";

describe("enough info", () => {
  it("names the CPU, the BLAS kernels and the convolution layout chosen for this machine, each with why", async () => {
    const { text, json } = await runInfo();
    expect(text).toMatch(/^CPU: .+\((intel|amd|other), (AVX512|AVX2|BASELINE)/m);
    expect(text).toMatch(/^BLAS kernels: .+: .+/m);
    expect(text).toMatch(/^conv layout: {2}(channels-last|NCHW): .+/m);
    const m = json.machine as { blasCoreType: { value: unknown; why: string }; channelsLast: { value: boolean; why: string }; cacheFile: string };
    expect(typeof m.channelsLast.value).toBe("boolean");
    expect(m.blasCoreType.why.length).toBeGreaterThan(10);
    expect(m.cacheFile).toMatch(/machine-[0-9a-f]{16}\.json$/);
  });
});
