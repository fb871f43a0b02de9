/**
 * The queue's address: `redis://[:password@]host[:port][/db]` or `rediss://` (TLS). Checked here so that a typo is a
 * typed error naming the flag, not an ioredis connection loop.
 */
import { EnvironmentError, InputError } from "../../errors.js";

/** The BullMQ queue every coordinator and worker of `enough` shares (one Redis database may hold other queues). */
export const QUEUE_NAME = "enough-runs";

export interface QueueAddress {
  /** The URL as given (ioredis reads it: password, db, TLS). */
  url: string;
  /** host:port/db without the password, for messages and logs. */
  display: string;
}

export function parseQueueUrl(text: string | undefined, flag = "--queue"): QueueAddress {
  const hint = `give ${flag} redis://host:6379 (or redis://:password@host:6379/0, rediss:// for TLS)`;
  if (!text) throw new InputError("NO_QUEUE", `the queue executor needs a Redis address (${flag})`, { hint });
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new InputError("BAD_QUEUE_URL", `${flag} "${text}" is not a URL`, { hint });
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new InputError("BAD_QUEUE_URL", `${flag} "${u.protocol}//..." is not a Redis address`, { hint });
  }
  if (!u.hostname) throw new InputError("BAD_QUEUE_URL", `${flag} "${text}" names no host`, { hint });
  const db = u.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d+$/.test(db)) throw new InputError("BAD_QUEUE_URL", `${flag}: the database "/${db}" must be a number`, { hint });
  if (u.port !== "" && !(Number(u.port) > 0 && Number(u.port) < 65536)) throw new InputError("BAD_QUEUE_URL", `${flag}: bad port ${u.port}`, { hint });
  return { url: text, display: `${u.protocol}//${u.hostname}:${u.port || "6379"}${db ? `/${db}` : ""}` };
}

/**
 * BullMQ's connection options: no per-command retry limit (BullMQ requires it for blocking clients, and it lets
 * commands wait through a Redis restart instead of failing), and a capped reconnect back-off.
 */
export function connectionOptions(address: QueueAddress): { url: string; maxRetriesPerRequest: null; retryStrategy: (times: number) => number } {
  return { url: address.url, maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(250 * times, 2_000) };
}

/**
 * Waits for a BullMQ client's first connection, or fails with QUEUE_UNREACHABLE: with unlimited retries (above) an
 * absent server would otherwise hang the command without a word.
 */
export async function reachRedis(client: { waitUntilReady(): Promise<unknown> }, address: QueueAddress, timeoutMs = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.waitUntilReady(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs))),
    ]);
  } catch (err) {
    throw new EnvironmentError("QUEUE_UNREACHABLE", `cannot reach the queue's Redis at ${address.display}: ${(err as Error).message}`, {
      hint: "start it (redis-server --port 6379) or check --queue; workers and coordinator must reach the same Redis",
    });
  } finally {
    clearTimeout(timer);
  }
}
