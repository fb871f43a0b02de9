/**
 * The CLI: parses arguments and calls the library. Commands live one per file in ./commands and register
 * themselves on the program. This is the only layer that prints.
 */
import { Command, CommanderError } from "commander";
import { isEnoughError } from "../errors.js";
import { commands } from "./commands/index.js";

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program
    .name("enough")
    .description("How much training data does this task need, and what can you do instead of collecting more?")
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err);
  }
}

/** Prints a user error without a stack trace; returns the exit code. */
export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    return err.exitCode;
  }
  if (isEnoughError(err)) {
    process.stderr.write(`enough: error [${err.code}]: ${err.message}\n`);
    if (err.hint) process.stderr.write(`  what to do: ${err.hint}\n`);
    return 2;
  }
  // Anything else is a bug in enough, not the user's mistake: show the stack so it can be reported.
  process.stderr.write(`enough: internal error (please report): ${(err as Error)?.stack ?? String(err)}\n`);
  return 1;
}
