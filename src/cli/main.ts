/**
 * The CLI: parses arguments and calls the library. Commands live one per file in ./commands and register
 * themselves on the program. This is the only layer that prints.
 */
import { Command, CommanderError } from "commander";
import { isEnoughError } from "../errors.js";
import { commands } from "./commands/index.js";
import { exitQuietlyOnClosedPipe, writeErr } from "./output.js";

export async function main(argv: string[]): Promise<void> {
  exitQuietlyOnClosedPipe();
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
    // Commander has printed its message. Help and --version end with 0; everything else it raises (an unknown or
    // mistyped flag, a missing argument or option value) is the user's mistake: 2, as for every other user error.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (isEnoughError(err)) {
    writeErr(`enough: error [${err.code}]: ${err.message}\n`);
    if (err.hint) writeErr(`  what to do: ${err.hint}\n`);
    return 2;
  }
  // Anything else is a bug in enough, not the user's mistake: show the stack so it can be reported.
  writeErr(`enough: internal error (please report): ${(err as Error)?.stack ?? String(err)}\n`);
  return 1;
}
