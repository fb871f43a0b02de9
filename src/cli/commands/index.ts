import type { Command } from "commander";

/** Each command module exports a function that registers it on the program; add new commands here. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [];
import { register as registerFit } from "./fit.js"; commands.push(registerFit);
import { register as registerEstimate } from "./estimate.js"; commands.push(registerEstimate);
import { register as registerTrain } from "./train.js"; commands.push(registerTrain);
import { register as registerInspect } from "./inspect.js"; commands.push(registerInspect);
import { register as registerAudit } from "./audit.js"; commands.push(registerAudit);
import { register as registerCompare } from "./compare.js"; commands.push(registerCompare);
import { register as registerStrategies } from "./strategies.js"; commands.push(registerStrategies);
import { register as registerWorker } from "./worker.js"; commands.push(registerWorker);
import { register as registerServe } from "./serve.js"; commands.push(registerServe);
import { register as registerStudies } from "./studies.js"; commands.push(registerStudies);
import { register as registerInfo } from "./info.js"; commands.push(registerInfo);
import { register as registerLabelNext } from "./label-next.js"; commands.push(registerLabelNext);
