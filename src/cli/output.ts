/**
 * Everything the CLI writes goes through here, for two reasons:
 * - column names and cell values come from the user's files: a header holding ESC [ 2 J or a carriage return would
 *   otherwise be executed by the terminal (clear the screen, overwrite a line, fake a finding). Control characters
 *   other than the newline and tab the CLI itself lays text out with are shown escaped, e.g. `\u001b`.
 * - `enough ... | head` closes stdout early; the next write then fails with EPIPE. That is the reader's choice,
 *   not an error of ours: exit quietly instead of printing a stack trace.
 */

// C0 controls except \t and \n, DEL, C1 controls (0x9b is a one-byte CSI on some terminals), and the Unicode
// bidirectional overrides that reorder what a reader sees.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text with every control character the CLI did not put there itself made visible as `\u001b`. The one form works
 * for plain text and for JSON alike: inside a JSON string it is the escape of the same character, so JSON output
 * parses to the same value (JSON.stringify leaves DEL, C1 and bidi overrides raw).
 */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** JSON as the CLI prints it: indented, one trailing newline, control characters escaped. */
export function jsonText(value: unknown): string {
  return terminalSafe(JSON.stringify(value, null, 2)) + "\n";
}

/** Writes a command's answer to stdout, control characters escaped. */
export function writeOut(text: string): void {
  process.stdout.write(terminalSafe(text));
}

/** Writes a message to stderr, control characters escaped. */
export function writeErr(text: string): void {
  process.stderr.write(terminalSafe(text));
}

let installed = false;

/**
 * A closed pipe on stdout (`| head`) ends the process quietly with the exit code so far. Other stdout errors
 * (a full disk behind `> file`) are still reported.
 */
export function exitQuietlyOnClosedPipe(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
      throw err;
    });
  }
}
