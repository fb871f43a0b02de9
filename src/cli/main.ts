/**
 * The CLI: parses arguments and calls the library. Commands live one per file in ./commands and register
 * themselves on the program. This is the only layer that prints.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { isEnoughError } from "../errors.js";
import { commands } from "./commands/index.js";
import { exitCodeOf } from "./exit-codes.js";
import { exitQuietlyOnClosedPipe, writeErr } from "./output.js";

/** The package's version (src/cli and dist/cli both sit two folders below package.json). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
}

export async function main(argv: string[]): Promise<void> {
  exitQuietlyOnClosedPipe();
  const program = new Command();
  program
    .name("enough")
    .description("How much training data does this task need, and what can you do instead of collecting more?")
    .version(packageVersion(), "-V, --version", "print the version and exit")
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err);
  }
}

/** Prints an error (a typed one without a stack trace); returns the exit code (see exit-codes.ts). */
export function reportError(err: unknown): number {
  // Commander has printed its own message.
  if (err instanceof CommanderError) return exitCodeOf(err);
  if (isEnoughError(err)) {
    writeErr(`enough: error [${err.code}]: ${err.message}\n`);
    if (err.hint) writeErr(`  what to do: ${err.hint}\n`);
    return exitCodeOf(err);
  }
  // Anything else is a bug in enough, not the user's mistake: show the stack so it can be reported.
  writeErr(`enough: internal error (please report): ${(err as Error)?.stack ?? String(err)}\n`);
  return 1;
}
