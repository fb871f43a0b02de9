/**
 * Checks that a folder can be written before any work starts: an unwritable report or cache folder found after every
 * Run has trained loses the answer (the Runs stay in the store, but the user sees a stack instead of the answer).
 * Nothing is created here: the nearest folder that exists must be a writable folder.
 */
import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "../../errors.js";

export function checkWritableFolder(path: string, flag: string): void {
  let p = resolve(path);
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Missing, or below a file (ENOTDIR): look at the folder above, which says which it is.
      if ((code === "ENOENT" || code === "ENOTDIR") && dirname(p) !== p) {
        p = dirname(p);
        continue;
      }
      throw notWritable(path, flag, (err as Error).message);
    }
    if (!isDir) throw notWritable(path, flag, `${p} is a file, not a folder`);
    try {
      accessSync(p, constants.W_OK);
    } catch {
      throw notWritable(path, flag, `${p} is not writable`);
    }
    return;
  }
}

function notWritable(path: string, flag: string, why: string): InputError {
  return new InputError("OUTPUT_NOT_WRITABLE", `${flag} ${path} cannot be written: ${why}`, {
    hint: `give ${flag} a folder you can write to (nothing has been trained yet)`,
  });
}
