/**
 * Typed errors. Every error a user can cause is an EnoughError with a stable `code`, a message that names the
 * file / row / field at fault, and a `hint` that says what to do. The CLI prints these without a stack trace.
 */
export class EnoughError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;
  constructor(code: string, message: string, opts: { hint?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    this.hint = opts.hint;
    this.details = opts.details;
  }
}

/** The user's input (data file, spec, option) is wrong. */
export class InputError extends EnoughError {}
/** A data file could not be read or parsed. */
export class DataError extends EnoughError {}
/** The model spec or training recipe is invalid. */
export class SpecError extends EnoughError {}
/** Training failed at run time (diverging loss, out of memory, native failure). */
export class TrainingError extends EnoughError {}
/** Training was cancelled through an AbortSignal. */
export class CancelledError extends EnoughError {
  constructor(message = "cancelled") {
    super("CANCELLED", message);
  }
}
/** The Store (SQLite file) cannot be used: corrupt, locked by another writer, or read-only. */
export class StoreError extends EnoughError {}
/** The environment lacks something (libtorch, CUDA, a built addon). */
export class EnvironmentError extends EnoughError {}

export function isEnoughError(e: unknown): e is EnoughError {
  return e instanceof EnoughError;
}
