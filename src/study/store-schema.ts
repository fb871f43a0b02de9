/**
 * The Store's schema as an append-only list of migrations: entry i takes schema version i to i+1.
 * Never edit a released entry; add a new one (old stores are upgraded in place when opened).
 */
export const MIGRATIONS: string[] = [
  // 1: studies, runs (shared across studies) and the link between them.
  `CREATE TABLE studies (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     options TEXT NOT NULL,
     fingerprint TEXT,
     created TEXT NOT NULL,
     updated TEXT NOT NULL,
     status TEXT NOT NULL
   );
   CREATE TABLE runs (
     id TEXT PRIMARY KEY,
     status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
     fingerprint TEXT NOT NULL,
     size INTEGER NOT NULL,
     seed INTEGER NOT NULL,
     inputs TEXT NOT NULL,
     metrics TEXT,
     history TEXT,
     timings TEXT,
     versions TEXT,
     param_count INTEGER,
     error_code TEXT,
     error_message TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     owner TEXT,
     worker TEXT,
     pid INTEGER,
     started TEXT,
     finished TEXT,
     heartbeat INTEGER
   );
   CREATE INDEX runs_by_data ON runs (fingerprint, size, seed);
   CREATE TABLE study_runs (
     study_id TEXT NOT NULL REFERENCES studies(id),
     run_id TEXT NOT NULL REFERENCES runs(id),
     reason TEXT NOT NULL DEFAULT '',
     added TEXT NOT NULL,
     PRIMARY KEY (study_id, run_id)
   );`,
  // 2: the study's last result (the report object), so that a dashboard can list answers without re-fitting.
  `ALTER TABLE studies ADD COLUMN result TEXT;`,
  // 3: which machine trained a Run (with worker = the worker's name, pid = its process). From this version a claimed
  // Run is 'queued' until a worker starts it ('running', worker and host set), so a dashboard can show the queue.
  `ALTER TABLE runs ADD COLUMN host TEXT;`,
];
