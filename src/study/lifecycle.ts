/**
 * A study's life around its body, the same for every kind of study: the store opened with stale Runs re-queued,
 * the study marked failed on any error but a cancellation, and the executor and the store always closed.
 */
import { CancelledError } from "../errors.js";
import type { Executor } from "./executor.js";
import { Store } from "./store.js";

export async function withStudy<T>(storePath: string, studyId: string, body: (store: Store, own: (executor: Executor) => Executor) => Promise<T>): Promise<T> {
  const store = Store.open(storePath);
  const owned: Executor[] = [];
  try {
    store.requeueStale();
    return await body(store, (executor) => (owned.push(executor), executor));
  } catch (err) {
    if (!(err instanceof CancelledError)) {
      try {
        store.setStudyStatus(studyId, "failed");
      } catch {
        /* the original error matters more */
      }
    }
    throw err;
  } finally {
    for (const executor of owned) await executor.close();
    store.close();
  }
}
