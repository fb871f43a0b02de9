/**
 * The dashboard's two pages. The server sends a shell (title, scripts) and the client script fills it from the JSON
 * API with DOM nodes whose text is set as text (textContent), never as HTML: column names, labels and paths come from
 * user data. The one server-side value in the page, the title, goes through escapeHtml.
 */
import { CSS, escapeHtml } from "../report/html.js";

const EXTRA_CSS = `
header.top{background:#1f3b5a;color:#fff;padding:10px 24px}header.top a{color:#fff;text-decoration:none;font-weight:600}
.status{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;background:#e4e7eb}
.status.running,.status.cancelling{background:#fde7b0}.status.done{background:#cde8c9}.status.failed{background:#f6c6c4}
.actions button{margin-right:8px}.note{color:#5b6572;font-style:italic}
td.reason{max-width:380px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
#live{float:right;font-size:12px;color:#cde}
.answer .headline{font-size:16px}
`;

export function page(o: { title: string; kind: "list" | "study"; studyId?: string; token: string | null }): string {
  const e = escapeHtml;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(o.title)}</title><link rel="icon" href="data:,">
${o.token ? `<meta name="enough-token" content="${e(o.token)}">` : ""}
<style>${CSS}${EXTRA_CSS}</style>
<script src="/assets/vega.min.js"></script><script src="/assets/vega-lite.min.js"></script><script src="/assets/vega-embed.min.js"></script>
</head><body data-page="${o.kind}"${o.studyId ? ` data-study="${e(o.studyId)}"` : ""}>
<header class="top"><a href="/">enough</a> · studies in the store<span id="live">connecting…</span></header>
<main id="app"><p class="meta">loading…</p></main>
<script src="/assets/dashboard.js"></script>
</body></html>`;
}

/** The browser side (plain JS, served as /assets/dashboard.js). */
export const CLIENT_JS = String.raw`(() => {
"use strict";
const token = document.querySelector('meta[name="enough-token"]')?.content ?? null;
const app = document.getElementById("app");
const kind = document.body.dataset.page;
const studyId = document.body.dataset.study ?? null;

function h(tag, attrs, ...kids) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
    else n.setAttribute(k, String(v));
  }
  for (const k of kids.flat(Infinity)) if (k !== null && k !== undefined) n.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return n;
}
const fmt = (v, d = 3) => (v === null || v === undefined ? "–" : typeof v === "number" ? (Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(d)) : String(v));
const when = (s) => (s ? new Date(s).toLocaleString() : "");
async function api(path, method = "GET") {
  const r = await fetch(path, { method, headers: token ? { "X-Enough-Token": token } : {} });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error ?? r.statusText);
  return body;
}
function table(cols, rows) {
  return h("table", {}, h("thead", {}, h("tr", {}, cols.map((c) => h("th", { class: c.cls ?? null }, c.title)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, cols.map((c) => h("td", { class: c.cls ?? null }, c.cell(r)))))));
}

/** Replaces the page's content; arrays are flattened and empty parts left out, as h() does. */
function fill(...parts) {
  app.replaceChildren(...parts.flat(Infinity).filter((k) => k !== null && k !== undefined));
}

async function renderList() {
  const { studies } = await api("/api/studies");
  const cols = [
    { title: "study", cls: "l", cell: (s) => h("a", { href: "/study/" + encodeURIComponent(s.id) }, s.id) },
    { title: "kind", cls: "l", cell: (s) => s.kind },
    { title: "data", cls: "l", cell: (s) => s.data },
    { title: "model", cls: "l", cell: (s) => s.model },
    { title: "target", cls: "l", cell: (s) => s.target || "–" },
    { title: "status", cls: "l", cell: (s) => h("span", { class: "status " + s.status }, s.status) },
    { title: "answer", cls: "l", cell: (s) => s.answer || "–" },
    { title: "started", cls: "l", cell: (s) => when(s.created) },
    { title: "Runs done / planned", cell: (s) => fmt(s.runsDone) + " / " + (s.runsPlanned === null ? "adaptive" : fmt(s.runsPlanned)) + (s.runsFailed ? " (" + s.runsFailed + " failed)" : "") + (s.runsRunning ? " · " + s.runsRunning + " running" : "") },
  ];
  app.replaceChildren(h("h1", {}, "Studies"), studies.length ? table(cols, studies) : h("p", { class: "note" }, "No study in this store yet."));
  app.dataset.ready = "1";
}

const embedded = new Map();
async function drawChart(box, c) {
  try {
    const res = await vegaEmbed(box, c.spec, { renderer: "svg", actions: false });
    embedded.get(c.id)?.finalize();
    embedded.set(c.id, res);
  } catch (err) {
    box.replaceChildren(h("p", { class: "note" }, "chart failed: " + err.message));
  }
}

async function renderStudy() {
  const v = await api("/api/studies/" + encodeURIComponent(studyId));
  document.title = "enough · " + v.id;
  const actions = h("p", { class: "actions" });
  if (token && (v.status === "running")) actions.append(h("button", { id: "cancel", onclick: () => act("cancel") }, "Cancel"));
  if (token && (v.status === "cancelled" || v.status === "failed")) actions.append(h("button", { id: "resume", onclick: () => act("resume") }, "Resume"));
  const links = v.reports ? h("p", { class: "meta" }, "Report files: ", ["report.html", "report.md", "report.json"].map((f, i) => [i ? " · " : "", h("a", { href: "/study/" + encodeURIComponent(v.id) + "/" + f }, f)])) : null;
  const charts = v.charts.map((c) => h("div", { class: "chart", id: "chart-" + c.id, "data-title": c.title }));
  fill(
    h("h1", {}, v.kind + " " + v.id, " ", h("span", { class: "status " + v.status, id: "status" }, v.status)),
    h("p", { class: "meta" }, "data ", v.data, " · model ", v.model, v.target ? " · target " + v.target : "", " · started ", when(v.created), " · Runs ", fmt(v.runsDone), " done", v.runsRunning ? ", " + v.runsRunning + " running" : "", v.runsFailed ? ", " + v.runsFailed + " failed" : ""),
    actions,
    v.headline ? h("div", { class: "answer" + (v.partial ? " warn" : "") }, h("p", { class: "headline", id: "headline" }, v.headline)) : null,
    v.note ? h("p", { class: "note", id: "note" }, v.note) : null,
    charts,
    v.findings.length ? [h("h2", {}, "Findings"), h("ul", { id: "findings" }, v.findings.map((f) => h("li", {}, f)))] : null,
    links,
    v.tables.map((t) => [h("h2", {}, t.title), t.rows.length ? table(Object.keys(t.rows[0]).map((k) => ({ title: k, cls: "l", cell: (r) => r[k] })), t.rows) : null]),
    h("h2", {}, "Runs"),
    table([
      { title: "status", cls: "l", cell: (r) => r.status },
      { title: "worker", cls: "l", cell: (r) => r.worker },
      { title: "n", cell: (r) => fmt(r.size) },
      { title: "seed", cell: (r) => r.seed },
      { title: "seconds", cell: (r) => fmt(r.seconds, 1) },
      { title: v.kind === "strategies" ? "valid " + v.metric : "test " + v.metric, cell: (r) => fmt(r.score, 4) },
      { title: "why it was chosen", cls: "l reason", cell: (r) => h("span", { title: r.reason }, r.reason) },
    ], v.runs),
  );
  await Promise.all(v.charts.map((c, i) => drawChart(charts[i], c)));
  app.dataset.ready = String(Number(app.dataset.ready ?? 0) + 1);
}

async function act(what) {
  try {
    await api("/api/studies/" + encodeURIComponent(studyId) + "/" + what, "POST");
  } catch (err) {
    alert(what + " failed: " + err.message);
  }
  await refresh();
}

let pending = null;
function refresh() {
  // One render at a time; changes that arrive meanwhile fold into one more render.
  if (pending) { pending.again = true; return pending.p; }
  const state = { again: false, p: null };
  state.p = (kind === "list" ? renderList() : renderStudy()).catch((err) => app.replaceChildren(h("p", { class: "note" }, err.message)))
    .finally(() => { pending = null; if (state.again) refresh(); });
  pending = state;
  return state.p;
}

const live = document.getElementById("live");
const es = new EventSource("/api/events");
es.addEventListener("open", () => { live.textContent = "live"; });
es.addEventListener("error", () => { live.textContent = "reconnecting…"; });
es.addEventListener("studies", (e) => {
  const d = JSON.parse(e.data);
  if (kind === "list" || d.changed.includes(studyId) || d.removed.includes(studyId)) refresh();
});
refresh();
})();
`;
