/** What the engine runs on: libtorch version, CUDA, threads, BLAS. */
import { blasCoreTypeChoice, engineDefaultThreads, loadAddon } from "./native.js";
import { cpuProfile, type MachineChoices } from "./machine.js";
import { machineLayout } from "./train.js";

export interface EngineInfo {
  torchVersion: string;
  cuda: boolean;
  /** Default intra-op (OpenMP) threads per training. */
  threads: number;
  /** The BLAS libtorch calls for matrix products (OpenBLAS config string when it is OpenBLAS). */
  blas: string;
  /** OpenBLAS's own thread count (-1 when unknown). */
  blasThreads: number;
  ompWaitPolicy: string;
  mkldnn: boolean;
  /** libtorch's own description of its parallel setup. */
  parallel: string;
}

export function engineInfo(): EngineInfo {
  const i = loadAddon().info();
  return {
    torchVersion: i.torchVersion,
    cuda: i.cuda,
    threads: engineDefaultThreads(),
    blas: i.blas,
    blasThreads: i.blasThreads,
    ompWaitPolicy: process.env.OMP_WAIT_POLICY ?? "",
    mkldnn: i.mkldnn,
    parallel: i.parallel,
  };
}

/**
 * The per-machine speed choices (machine.ts): the CPU, the OpenBLAS kernels and the convolution layout, each with
 * why. Decides the layout now if no convolution model has trained yet (a calibration of about a second, once per
 * machine).
 */
export async function machineChoices(): Promise<MachineChoices> {
  const { choice, cacheFile } = blasCoreTypeChoice();
  return { cpu: cpuProfile(), blasCoreType: choice, channelsLast: await machineLayout(), cacheFile };
}
