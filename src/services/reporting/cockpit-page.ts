/**
 * The cockpit page: every section server-rendered, plus one small inline script that opens
 * GET /events and swaps in each section it receives, and drives the kill switch. The script runs
 * under a per-response nonce; nothing else may run or load (see the CSP in cockpit.ts).
 */
import type { Mode } from "../../config.ts";
import type { SectionId } from "./cockpit-sections.ts";
import { html, SafeHtml } from "./html.ts";

const STYLE = `
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#f3f4f6}
header{display:flex;flex-wrap:wrap;align-items:center;gap:8px 14px;padding:10px 16px;background:#1d2330;color:#fff}
header h1{font-size:18px;margin:0}header a{color:#bfdbfe}
.mode{padding:2px 8px;border-radius:4px;font-weight:700;text-transform:uppercase;font-size:12px}
.mode-sim{background:#4b5563}.mode-paper{background:#1d4ed8}.mode-live{background:#b91c1c}
#live{margin-left:auto;font-size:13px}#live[data-state=down]{color:#fecaca}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:12px;padding:12px;max-width:1600px;margin:0 auto}
main>section{background:#fff;border:1px solid #d1d5db;border-radius:6px;padding:10px 14px;min-width:0}
.wide{grid-column:1/-1}
h2{font-size:16px;margin:0 0 8px}h3{font-size:14px;margin:12px 0 6px}small{font-weight:400;color:#4b5563}
.facts{margin:0}.facts div{display:flex;gap:10px;padding:3px 0}.facts dt{min-width:84px;color:#4b5563}.facts dd{margin:0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e5e7eb;white-space:nowrap}thead th{color:#4b5563;font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums}
.pos{color:#15803d}.neg{color:#b91c1c}.empty{color:#4b5563}.small{font-size:13px;color:#4b5563}
.problem{color:#92400e;background:#fef3c7;padding:6px 8px;border-radius:4px}
.alarm{color:#fff;background:#b91c1c;padding:6px 8px;border-radius:4px}
.gauge{margin:6px 0}.gauge-label{display:flex;justify-content:space-between;gap:8px;font-size:13px;flex-wrap:wrap}
.bar{height:10px;background:#e5e7eb;border-radius:5px;overflow:hidden}.bar i{display:block;height:100%;background:#2563eb}
.gauge.warn .bar i{background:#d97706}.gauge.over .bar i{background:#b91c1c}
.issues{margin:0;padding-left:18px}.sev-critical b{color:#b91c1c}.sev-warning b{color:#92400e}
form{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin:8px 0}label{display:flex;flex-direction:column;font-size:13px;flex:1 1 200px}
input{font:inherit;padding:7px 8px;border:1px solid #6b7280;border-radius:4px}
button{font:inherit;padding:7px 14px;border-radius:4px;border:1px solid #1d2330;background:#fff;color:#1d2330;cursor:pointer;min-height:40px}
button.danger{background:#b91c1c;border-color:#b91c1c;color:#fff}
:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
dialog{border:1px solid #6b7280;border-radius:6px;max-width:min(420px,92vw)}dialog::backdrop{background:#0006}
svg.equity{width:100%;max-width:880px;height:auto;display:block}svg.equity .axis{stroke:#6b7280}svg.equity .start{stroke:#d1d5db;stroke-dasharray:4 4}
svg.equity .curve{fill:none;stroke:#2563eb;stroke-width:2}svg.equity .label{fill:#374151;font-size:12px}
#s-journal{overflow-x:auto;background:#fff;border:1px solid #d1d5db;border-radius:6px;padding:10px 14px}#s-journal>section{border:0;padding:0;margin:0}
@media (max-width:480px){main{grid-template-columns:1fr;padding:8px}header{padding:8px 10px}}
`;

/** Applies `section` events; the kill switch's forms follow the state its section shows. */
const SCRIPT = `
const live = document.getElementById("live");
const result = document.getElementById("kill-result");
function killState() {
  const on = document.querySelector("#s-kill [data-kill]")?.dataset.kill === "on";
  document.getElementById("kill-set").hidden = on;
  document.getElementById("kill-clear-open").hidden = !on;
}
killState();
const events = new EventSource("/events");
events.onopen = () => { live.textContent = "live"; live.dataset.state = "up"; };
events.onerror = () => { live.textContent = "reconnecting…"; live.dataset.state = "down"; };
events.addEventListener("section", (event) => {
  const update = JSON.parse(event.data);
  const target = document.getElementById("s-" + update.id);
  if (!target) return;
  target.innerHTML = update.html;
  target.dataset.updatedAt = String(Date.now());
  target.dataset.cause = update.cause.channel;
  target.dataset.causeAt = update.cause.publishedAt;
  if (update.id === "kill") killState();
});
async function send(path, body) {
  const response = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw new Error(answer?.error?.message ?? "HTTP " + response.status);
  return answer;
}
document.getElementById("kill-set").addEventListener("submit", async (event) => {
  event.preventDefault();
  const reason = document.getElementById("kill-reason");
  result.textContent = "Stopping…";
  try {
    const answer = await send("/cockpit/kill-switch", { reason: reason.value });
    reason.value = "";
    result.textContent = "Kill switch set: " + answer.cancelledOrders + " order(s) cancelled, " + answer.closingPositions + " position(s) closing." + (answer.problems.length ? " Problems: " + answer.problems.join("; ") : "");
  } catch (error) { result.textContent = "Not set: " + error.message; }
});
const confirmDialog = document.getElementById("kill-confirm");
document.getElementById("kill-clear-open").addEventListener("click", () => confirmDialog.showModal());
document.getElementById("kill-clear-no").addEventListener("click", () => confirmDialog.close());
document.getElementById("kill-clear-yes").addEventListener("click", async () => {
  confirmDialog.close();
  result.textContent = "Clearing…";
  try {
    await send("/cockpit/kill-switch/clear", { confirm: true });
    result.textContent = "Kill switch cleared: entries may resume.";
  } catch (error) { result.textContent = "Not cleared: " + error.message; }
});
`;

export interface CockpitPageData {
  mode: Mode;
  sections: Record<SectionId, SafeHtml>;
  nonce: string;
}

export function cockpitPage({ mode, sections: s, nonce }: CockpitPageData): string {
  const box = (id: SectionId, wide = false) => html`<section id="s-${id}" class="${wide ? "wide" : ""}" aria-live="off">${s[id]}</section>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Catalyst cockpit</title><style>${new SafeHtml(STYLE)}</style></head>
<body><header><h1>Catalyst cockpit</h1><span class="mode mode-${mode}">${mode}</span><a href="/">Report</a><span id="live" role="status">connecting…</span></header>
<main>
${box("now")}
<section id="kill-switch" aria-labelledby="kill-title"><h2 id="kill-title">Kill switch</h2><div id="s-kill">${s.kill}</div>
<form id="kill-set"><label for="kill-reason">Reason (required)<input id="kill-reason" name="reason" required minlength="3" maxlength="500" autocomplete="off"></label><button type="submit" class="danger">Stop trading</button></form>
<button type="button" id="kill-clear-open" hidden>Clear kill switch…</button>
<p id="kill-result" role="status" aria-live="polite"></p>
<dialog id="kill-confirm" aria-labelledby="kill-confirm-text"><p id="kill-confirm-text">Clear the kill switch? New entries may be placed again (a daily-loss halt stays).</p>
<button type="button" id="kill-clear-yes" class="danger">Yes, clear it</button> <button type="button" id="kill-clear-no" autofocus>Cancel</button></dialog></section>
${box("risk")}
${box("positions", true)}
${box("orders", true)}
${box("doctor")}
${box("equity", true)}
<div id="s-journal" class="wide">${s.journal}</div>
</main>
<script nonce="${nonce}">${new SafeHtml(SCRIPT)}</script></body></html>`.text;
}
