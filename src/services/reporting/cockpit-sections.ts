/**
 * The cockpit's sections, each rendered on its own from the sources: the page is built from all
 * of them, and a live update replaces one section's inner HTML with a fresh render. A section
 * whose source fails says so in place (the others still show).
 */
import type { OpenIssue } from "../../contracts/doctor.ts";
import type { RiskStatus } from "../../contracts/risk.ts";
import type { OrderView } from "../../contracts/trading.ts";
import { formatEt } from "../../domain/exchange-calendar.ts";
import { addDecimal, compareDecimal, divideDecimal, type Decimal } from "../../domain/money.ts";
import type { CycleState } from "../../domain/workflow/cycle-states.ts";
import { nextStep } from "../../domain/workflow/next-step.ts";
import { errorMessage } from "../../runtime/errors.ts";
import type { CockpitSources, MarkedPosition } from "./cockpit-sources.ts";
import { equityChart } from "./equity-chart.ts";
import { formatPnl, formatPrice, formatQty, formatUsd } from "./format.ts";
import { html, type SafeHtml } from "./html.ts";
import { journal } from "./page.ts";

export const SECTION_IDS = ["now", "kill", "risk", "positions", "orders", "doctor", "equity", "journal"] as const;
export type SectionId = (typeof SECTION_IDS)[number];

/** "14:05" ET. */
const hhmm = (ms: number) => formatEt(ms).slice(11, 16);
const sign = (value: Decimal) => (value.startsWith("-") ? "neg" : /^0(\.0+)?$/.test(value) ? "" : "pos");
const pct = (part: Decimal, whole: Decimal) => (compareDecimal(whole, "0") <= 0 ? 0 : Number(divideDecimal(part, whole, 4, "half_up")) * 100);

async function nowSection(s: CockpitSources): Promise<SafeHtml> {
  const [clock, cycle] = await Promise.all([s.clock(), s.cycle()]);
  const now = Date.parse(clock.timestamp);
  const market = clock.isOpen ? html`<b class="pos">open</b>, closes ${hhmm(Date.parse(clock.nextClose))} ET` : html`<b>closed</b>, opens ${formatEt(Date.parse(clock.nextOpen)).slice(5, 16).replace("T", " ")} ET`;
  let cycleText: SafeHtml;
  let next: SafeHtml;
  if (cycle === null) {
    cycleText = html`<b>none running</b>`;
    next = html`start today's cycle (MCP start_trading_cycle, or POST /api/v1/cycles on workflow)`;
  } else {
    cycleText = html`<b class="state state-${cycle.state}">${cycle.state}</b> · ${cycle.riskMode} · ${cycle.scans} scan(s), ${cycle.entriesPlaced} entr${cycle.entriesPlaced === 1 ? "y" : "ies"}${cycle.haltReason ? html` · <span class="neg">halted: ${cycle.haltReason}</span>` : ""}`;
    if (cycle.plan === null) next = html`none: no trading session today`;
    else {
      const step = nextStep({ state: cycle.state as CycleState, plan: cycle.plan, now, scanEveryMinutes: cycle.settings.scanEveryMinutes, lastScanAt: cycle.lastScanAt === null ? null : Date.parse(cycle.lastScanAt) });
      next = step.at === null ? html`${step.text}` : html`${step.text} at <b>${hhmm(step.at)} ET</b>${step.at <= now ? " (now)" : ""}`;
    }
  }
  return html`<h2>Now</h2><dl class="facts">
<div><dt>Market</dt><dd><b data-clock>${hhmm(now)} ET</b> ${formatEt(now).slice(0, 10)} · ${market}</dd></div>
<div><dt>Cycle</dt><dd>${cycleText}</dd></div>
<div><dt>Next step</dt><dd>${next}</dd></div></dl>`;
}

async function killSection(s: CockpitSources): Promise<SafeHtml> {
  const risk = await s.risk();
  const k = risk.killSwitch;
  const entries = risk.entriesAllowed ? html`<span class="pos">entries allowed</span>` : html`<span>entries blocked${risk.halted ? html`: ${risk.halted.reason}` : !risk.marketOpen ? " (market closed)" : ""}</span>`;
  if (!k.active) return html`<p data-kill="off"><b>Off</b> · ${entries}</p>`;
  return html`<p data-kill="on" class="alarm"><b>ACTIVE</b> since ${k.setAt ? hhmm(Date.parse(k.setAt)) : "?"} ET by ${k.setBy ?? "?"}: ${k.reason ?? ""}</p>`;
}

function gauge(label: string, usedPct: number, text: SafeHtml | string): SafeHtml {
  const shown = Math.max(0, Math.min(100, usedPct));
  const tone = usedPct >= 100 ? "over" : usedPct >= 75 ? "warn" : "";
  return html`<div class="gauge ${tone}"><div class="gauge-label"><span>${label}</span><span>${text}</span></div>
<div class="bar" role="meter" aria-label="${label}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${usedPct.toFixed(0)}"><i style="width:${shown.toFixed(1)}%"></i></div></div>`;
}

function riskGauges(r: RiskStatus): SafeHtml {
  const loss = r.dailyPnl;
  const sectors = r.usage.bySector;
  return html`<h2>Risk</h2>
${gauge("Daily loss limit used", loss.lossUsedPct, `${loss.lossUsedPct.toFixed(0)}% of ${formatUsd(r.limits.maxDailyLoss)} · today ${formatPnl(loss.accountChange)}`)}
${gauge("Open positions", (r.usage.openPositions / r.limits.maxOpenPositions) * 100, `${r.usage.openPositions} of ${r.limits.maxOpenPositions}${r.usage.workingEntries ? ` (+${r.usage.workingEntries} working)` : ""}`)}
${gauge("Entries today", (r.usage.entriesToday / r.limits.maxTradesPerDay) * 100, `${r.usage.entriesToday} of ${r.limits.maxTradesPerDay}`)}
${gauge("At risk to stops", pct(r.usage.atRiskUsd, r.limits.maxDailyLoss), `${formatUsd(r.usage.atRiskUsd)} vs ${formatUsd(r.limits.maxDailyLoss)} limit${r.usage.unprotectedPositions ? ` · ${r.usage.unprotectedPositions} unprotected` : ""}`)}
<h3>Exposure by sector <small>(cap ${r.limits.maxSectorExposurePct}% of equity each)</small></h3>
${sectors.length === 0 ? html`<p class="empty">No exposure.</p>` : sectors.map((x) => gauge(x.sector, pct(x.exposureUsd, x.capUsd), `${formatUsd(x.exposureUsd)} of ${formatUsd(x.capUsd)}`))}`;
}

/** P&L, mark, stop and target first: what a phone shows before the table scrolls. */
function positionsTable(rows: MarkedPosition[]): SafeHtml {
  if (rows.length === 0) return html`<h2>Positions</h2><p class="empty">No open positions.</p>`;
  const total = rows.reduce((sum, p) => addDecimal(sum, p.unrealizedPnl), "0");
  return html`<h2>Positions <small class="${sign(total)}">${formatPnl(total)}</small></h2><div class="scroll"><table>
<thead><tr><th scope="col">Symbol</th><th scope="col" class="num">P&amp;L</th><th scope="col" class="num">Last</th><th scope="col" class="num">Stop</th><th scope="col" class="num">Target</th><th scope="col" class="num">Qty</th><th scope="col" class="num">Entry</th><th scope="col">Side</th></tr></thead><tbody>
${rows.map((p) => html`<tr data-symbol="${p.symbol}"><th scope="row">${p.symbol}</th><td class="num ${sign(p.unrealizedPnl)}">${formatPnl(p.unrealizedPnl)}</td><td class="num">${formatPrice(p.lastPrice)}</td><td class="num">${formatPrice(p.stopLoss)}</td><td class="num">${formatPrice(p.takeProfit)}</td><td class="num">${formatQty(p.qty)}</td><td class="num">${formatPrice(p.avgEntryPrice)}</td><td>${p.side}</td></tr>`)}
</tbody></table></div>`;
}

function ordersTable(rows: OrderView[]): SafeHtml {
  if (rows.length === 0) return html`<h2>Working orders</h2><p class="empty">No working orders.</p>`;
  return html`<h2>Working orders</h2><div class="scroll"><table>
<thead><tr><th scope="col">Symbol</th><th scope="col">Role</th><th scope="col">Side</th><th scope="col">Type</th><th scope="col" class="num">Filled/Qty</th><th scope="col" class="num">Limit</th><th scope="col" class="num">Stop</th><th scope="col">Status</th><th scope="col">Since</th></tr></thead><tbody>
${rows.map((o) => html`<tr><th scope="row">${o.symbol}</th><td>${o.role}</td><td>${o.side}</td><td>${o.type}</td><td class="num">${formatQty(o.filledQty)}/${formatQty(o.qty)}</td><td class="num">${formatPrice(o.limitPrice)}</td><td class="num">${formatPrice(o.stopPrice)}</td><td>${o.status}</td><td>${hhmm(Date.parse(o.createdAt))}</td></tr>`)}
</tbody></table></div>`;
}

function doctorList(issues: OpenIssue[]): SafeHtml {
  if (issues.length === 0) return html`<h2>Doctor</h2><p class="empty">No open issues.</p>`;
  return html`<h2>Doctor <small class="neg">${issues.length} open</small></h2><ul class="issues">
${issues.map((i) => html`<li class="sev-${i.severity}"><b>${i.severity}</b> ${i.type} · ${i.entity} <small>since ${hhmm(Date.parse(i.firstSeenAt))} ET (${i.check})</small></li>`)}
</ul>`;
}

async function equitySection(s: CockpitSources): Promise<SafeHtml> {
  const samples = await s.equity();
  const curve = samples.map((x) => ({ at: new Date(x.at).toISOString(), equity: addDecimal(x.startEquity, addDecimal(x.realized, x.unrealized)) }));
  const last = samples.at(-1);
  const caption = last ? html`<p class="small">Latest sample ${hhmm(last.at)} ET: realized ${formatPnl(last.realized)}, unrealized ${formatPnl(last.unrealized)}.</p>` : "";
  return html`<h2>Equity today (marked to market)</h2>${equityChart(curve, { label: "Equity today, realized plus unrealized", empty: "No samples yet today: equity is sampled while the market is open." })}${caption}`;
}

const RENDER: Record<SectionId, (s: CockpitSources) => Promise<SafeHtml>> = {
  now: nowSection,
  kill: killSection,
  risk: async (s) => riskGauges(await s.risk()),
  positions: async (s) => positionsTable(await s.positions()),
  orders: async (s) => ordersTable(await s.orders()),
  doctor: async (s) => doctorList(await s.doctorIssues()),
  equity: equitySection,
  journal: async (s) => journal(await s.journal()),
};

const TITLES: Record<SectionId, string> = { now: "Now", kill: "Kill switch", risk: "Risk", positions: "Positions", orders: "Working orders", doctor: "Doctor", equity: "Equity today", journal: "Journal" };

export async function renderSection(id: SectionId, sources: CockpitSources): Promise<SafeHtml> {
  try {
    return await RENDER[id](sources);
  } catch (error) {
    const body = html`<p class="problem" role="alert">Could not load this: ${errorMessage(error)}. It is retried with the next update.</p>`;
    return id === "kill" ? body : html`<h2>${TITLES[id]}</h2>${body}`;
  }
}
