/**
 * SQLite's failures on opening a store, turned into typed errors that name the file and say what to do. They are
 * raised when a study opens its store, before any data is loaded or any Run trained, so a bad --store costs nothing.
 */
import { accessSync, constants } from "node:fs";
import { dirname } from "node:path";
import { EnoughError, StoreError } from "../errors.js";

export function storeError(err: unknown, path: string, busyMs: number): EnoughError {
  if (err instanceof EnoughError) return err;
  const code = String((err as { code?: unknown })?.code ?? "");
  const message = (err as Error)?.message ?? String(err);
  const opts = { cause: err, details: { path, sqlite: code } };
  if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) {
    return new StoreError("STORE_CORRUPT", `the store ${path} is not a readable SQLite database (${message})`, {
      ...opts,
      hint: "give --store another file, or move this one aside if it is damaged (a new store starts empty: Runs are trained again)",
    });
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new StoreError("STORE_LOCKED", `the store ${path} is locked by another process (waited ${Math.round(busyMs / 1000)} s)`, {
      ...opts,
      hint: "wait until the other enough command using this store has finished, or give --store another file",
    });
  }
  const readOnly =
    code.startsWith("SQLITE_READONLY") || ["EACCES", "EPERM", "EROFS"].includes(code) || (code.startsWith("SQLITE_CANTOPEN") && !writable(dirname(path)));
  if (readOnly) {
    return new StoreError("STORE_READONLY", `the store ${path} cannot be written (${message})`, {
      ...opts,
      hint: `make ${path} and its folder writable (SQLite also writes ${path}-wal and ${path}-shm beside it), or give --store a writable path`,
    });
  }
  return new StoreError("STORE_OPEN", `cannot open the store ${path}: ${message}`, { ...opts, hint: "check the --store path and its permissions" });
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
