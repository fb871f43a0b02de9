/** Checks shared by file sources: the file exists (else suggest near names), is a file, and is not empty. */
import { stat, readdir } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { DataError, InputError } from "../../errors.js";
import { closestNames } from "../suggest.js";

export async function checkFile(path: string): Promise<{ size: number; mtimeMs: number }> {
  let st;
  try {
    st = await stat(path);
  } catch {
    let near: string[] = [];
    try {
      near = closestNames(basename(path), await readdir(dirname(path)));
    } catch {
      /* the folder itself is missing */
    }
    throw new InputError("FILE_NOT_FOUND", `${path}: no such file or folder`, {
      hint: near.length ? `did you mean ${near.map((n) => `'${n}'`).join(" or ")}?` : "check the path (relative paths start from the current folder)",
      details: { file: path },
    });
  }
  if (st.isFile() && st.size === 0) {
    throw new DataError("EMPTY_FILE", `${path}: file is empty (0 bytes)`, { hint: "the file has no data: check that it was written completely", details: { file: path } });
  }
  return { size: st.size, mtimeMs: st.mtimeMs };
}
