/**
 * The report as one self-contained HTML page: today's P&L, the realized equity curve, open
 * positions and the journal. No scripts, no external assets; every value is escaped by `html`.
 */
import type { JournalTrade, Performance } from "../../contracts/reporting.ts";
import { etDate, formatEt, session } from "../../domain/exchange-calendar.ts";
import type { Decimal } from "../../domain/money.ts";
import { equityChart } from "./equity-chart.ts";
import { formatNumber, formatPnl, formatPrice, formatQty, formatUsd } from "./format.ts";
import { html, SafeHtml } from "./html.ts";
import type { OpenPosition } from "./store.ts";

export interface ReportPageData {
  mode: Performance["mode"];
  /** The market's now, epoch ms. */
  asOf: number;
  today: Performance;
  open: (OpenPosition & { unrealizedPnl: Decimal })[];
  journal: JournalTrade[];
}

const STYLE = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{display:flex;align-items:baseline;gap:16px;padding:14px 24px;background:#1d2330;color:#fff}
header h1{font-size:18px;margin:0}
.mode{padding:2px 8px;border-radius:4px;font-weight:600;text-transform:uppercase;font-size:12px}
.mode-sim{background:#6b7280}.mode-paper{background:#2563eb}.mode-live{background:#dc2626}
main{padding:16px 24px}
section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:12px 16px;margin-bottom:16px}
h2{font-size:15px;margin:0 0 10px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{min-width:118px;padding:8px 10px;border:1px solid #e5e8ee;border-radius:6px}
.card b{display:block;font-size:17px}.card span{color:#6b7280;font-size:12px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eef0f3;vertical-align:top}
th{color:#6b7280;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.pos{color:#15803d}.neg{color:#b91c1c}.empty{color:#6b7280}
.reasons{color:#4b5563;font-size:12px;max-width:320px}
tr.flag td{background:#fef3c7}.flag-note{color:#92400e;font-weight:600}
svg.equity{width:100%;max-width:1100px;height:auto}svg.equity .axis{stroke:#9ca3af}svg.equity .start{stroke:#d1d5db;stroke-dasharray:4 4}
svg.equity .curve{fill:none;stroke:#2563eb;stroke-width:2}svg.equity .label{fill:#4b5563;font-size:12px}
`;

const etTime = (iso: string | null) => (iso === null ? "—" : formatEt(Date.parse(iso)).slice(11, 16));
const sign = (value: Decimal) => (value.startsWith("-") ? "neg" : /^0(\.0+)?$/.test(value) ? "" : "pos");
const pnlCell = (value: Decimal) => html`<td class="num ${sign(value)}">${formatPnl(value)}</td>`;
const card = (label: string, value: string, tone = "") => html`<div class="card"><span>${label}</span><b class="${tone}">${value}</b></div>`;

/** Today's curve starts at midnight; drawn from the open (or the first close, if earlier), trading hours fill the chart. */
function fromTheOpen(curve: Performance["equityCurve"], asOf: number): Performance["equityCurve"] {
  const [first, second] = curve;
  if (!first) return curve;
  const open = session(etDate(asOf))?.open ?? Date.parse(first.at);
  const start = Math.min(Math.max(Date.parse(first.at), open), second ? Date.parse(second.at) : open);
  return [{ ...first, at: new Date(start).toISOString() }, ...curve.slice(1)];
}

function summary(p: Performance): SafeHtml {
  return html`<section><h2>Today's P&amp;L</h2><div class="cards">
  ${card("Realized", formatPnl(p.realizedPnl), sign(p.realizedPnl))}
  ${card("Unrealized", formatPnl(p.unrealizedPnl), sign(p.unrealizedPnl))}
  ${card("Trades (W/L)", `${p.trades} (${p.wins}/${p.losses})`)}
  ${card("Win rate", p.winRatePct === null ? "—" : `${formatNumber(p.winRatePct, 1)}%`)}
  ${card("Profit factor", formatNumber(p.profitFactor))}
  ${card("Expectancy", p.expectancy === null ? "—" : formatPnl(p.expectancy))}
  ${card("Max drawdown", `${formatUsd(p.maxDrawdown)}${p.maxDrawdownPct === null ? "" : ` (${formatNumber(p.maxDrawdownPct)}%)`}`)}
  ${card("Sharpe", formatNumber(p.sharpe))}
</div></section>`;
}

function breakdowns(p: Performance): SafeHtml {
  const table = (title: string, rows: Performance["byPattern"]) =>
    html`<div><h2>${title}</h2><table><tr><th></th><th class="num">Trades</th><th class="num">P&amp;L</th><th class="num">Win rate</th></tr>
    ${rows.map((r) => html`<tr><td>${r.key}</td><td class="num">${r.trades}</td>${pnlCell(r.pnl)}<td class="num">${r.winRatePct === null ? "—" : `${formatNumber(r.winRatePct, 1)}%`}</td></tr>`)}
    </table></div>`;
  if (p.trades === 0) return html``;
  return html`<section class="cards">${table("By pattern", p.byPattern)}${table("By catalyst", p.byCatalyst)}${table("By scan score", p.byScore)}</section>`;
}

function openPositions(open: ReportPageData["open"]): SafeHtml {
  if (open.length === 0) return html`<section><h2>Open positions</h2><p class="empty">No open positions.</p></section>`;
  return html`<section><h2>Open positions</h2><table>
<tr><th>Symbol</th><th>Side</th><th class="num">Qty</th><th class="num">Entry</th><th class="num">Last</th><th class="num">Unrealized</th><th class="num">Stop</th><th class="num">Target</th><th>Opened (ET)</th></tr>
${open.map(
  (p) => html`<tr><td>${p.symbol}</td><td>${p.side}</td><td class="num">${formatQty(p.qty)}</td><td class="num">${formatPrice(p.avgEntryPrice)}</td>
<td class="num">${formatPrice(p.lastPrice)}</td>${pnlCell(p.unrealizedPnl)}<td class="num">${formatPrice(p.stopLoss)}</td><td class="num">${formatPrice(p.takeProfit)}</td><td>${etTime(p.openedAt)}</td></tr>`,
)}
</table></section>`;
}

function riskText(risk: JournalTrade["risk"]): string {
  if (risk === null) return "—";
  const failed = risk.verdicts.filter((v) => !v.ok).map((v) => v.rule);
  if (risk.approved) return `approved (${risk.verdicts.length - failed.length}/${risk.verdicts.length} ok)`;
  return failed.length > 0 ? `rejected: ${failed.join(", ")}` : "rejected";
}

function scanText(scan: JournalTrade["scan"]): string {
  if (scan === null) return "—";
  return [scan.rank === null ? null : `#${scan.rank}`, scan.score === null ? null : `score ${scan.score.toFixed(2)}`].filter(Boolean).join(" · ") || "scan";
}

function catalystCell(t: JournalTrade): SafeHtml {
  const news = t.catalystNews;
  if (news === null) return html`<td>${t.catalyst ?? "—"}</td>`;
  return html`<td>${news.kind} <span class="reasons">(strength ${news.strength.toFixed(2)}, ${etTime(news.publishedAt)} ET)</span><div class="reasons">${news.headline}</div></td>`;
}

/** A day trader's book is flat at the bell: a position that was not says so, and whether it was kept on purpose. */
function closeCell(t: JournalTrade): SafeHtml {
  if (!t.openAfterClose) return html`<td>${t.closeReason ?? "—"}</td>`;
  const note = t.heldOvernight ? "held overnight (by choice)" : "⚠ still open after the close";
  return html`<td><span class="flag-note">${note}</span>${t.closeReason === null ? "" : html`<div>${t.closeReason}</div>`}</td>`;
}

/** Also the cockpit's journal section. */
export function journal(trades: JournalTrade[]): SafeHtml {
  if (trades.length === 0) return html`<section><h2>Journal</h2><p class="empty">No trades today.</p></section>`;
  return html`<section><h2>Journal</h2><table>
<tr><th>Opened</th><th>Closed</th><th>Symbol</th><th>Side</th><th class="num">Qty</th><th class="num">Entry</th><th class="num">Exit</th><th class="num">P&amp;L</th><th>Close reason</th><th>Pattern</th><th>Stop</th><th>Catalyst</th><th>Scan</th><th>Risk</th><th class="num">Orders</th><th>Why</th></tr>
${trades.map(
  (t) => html`<tr${t.openAfterClose ? new SafeHtml(' class="flag"') : ""}><td>${etTime(t.openedAt)}</td><td>${etTime(t.closedAt)}</td><td>${t.symbol}</td><td>${t.side}</td><td class="num">${formatQty(t.qty)}</td>
<td class="num">${formatPrice(t.avgEntryPrice)}</td><td class="num">${formatPrice(t.avgExitPrice)}</td>${pnlCell(t.realizedPnl)}${closeCell(t)}
<td>${t.pattern ?? "—"}</td><td>${t.stopBasis ?? "—"}</td>${catalystCell(t)}<td>${scanText(t.scan)}</td><td>${riskText(t.risk)}</td><td class="num">${t.orders.length}</td>
<td class="reasons">${(t.scan?.reasons ?? []).slice(0, 3).join("; ")}</td></tr>`,
)}
</table></section>`;
}

export function reportPage(data: ReportPageData): string {
  const asOf = formatEt(data.asOf);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Catalyst report ${asOf.slice(0, 10)}</title><style>${new SafeHtml(STYLE)}</style></head>
<body><header><h1>Catalyst</h1><span class="mode mode-${data.mode}">${data.mode}</span><span>as of ${asOf.slice(0, 10)} ${asOf.slice(11, 16)} ET</span></header>
<main>
${summary(data.today)}
<section><h2>Equity today (realized)</h2>${equityChart(fromTheOpen(data.today.equityCurve, data.asOf))}</section>
${breakdowns(data.today)}
${openPositions(data.open)}
${journal(data.journal)}
</main></body></html>`.text;
}
