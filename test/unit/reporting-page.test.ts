import { describe, expect, test } from "bun:test";
import type { JournalTrade, Performance } from "../../src/contracts/reporting.ts";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { performanceMetrics } from "../../src/domain/reporting/performance.ts";
import { equityChart } from "../../src/services/reporting/equity-chart.ts";
import { formatPnl, formatPrice, formatQty, formatUsd } from "../../src/services/reporting/format.ts";
import { escapeHtml, html } from "../../src/services/reporting/html.ts";
import { reportPage, type ReportPageData } from "../../src/services/reporting/page.ts";

const EVIL = `<script>alert("x")</script>`;
const EVIL_REASON = `<img src=x onerror='alert(1)'> & "quoted"`;
const dayStart = etInstant("2026-03-10", "00:00");
const now = etInstant("2026-03-10", "15:45");

const trades = [
  { closedAt: etInstant("2026-03-10", "10:05"), realizedPnl: "100.00", pattern: "bull_flag", catalyst: EVIL, score: 0.81 },
  { closedAt: etInstant("2026-03-10", "11:40"), realizedPnl: "-50.00", pattern: EVIL, catalyst: "fda", score: 0.55 },
];
const today: Performance = {
  mode: "paper",
  period: "day",
  from: new Date(dayStart).toISOString(),
  to: new Date(now).toISOString(),
  unrealizedPnl: "12.00",
  ...performanceMetrics(trades, "100000", dayStart),
};
const journalTrade: JournalTrade = {
  positionId: 1,
  symbol: EVIL,
  side: "long",
  status: "closed",
  qty: "100.000000",
  avgEntryPrice: "10.0000",
  avgExitPrice: "11.0000",
  realizedPnl: "100.00",
  openedAt: new Date(etInstant("2026-03-10", "09:41")).toISOString(),
  closedAt: new Date(etInstant("2026-03-10", "10:05")).toISOString(),
  closeReason: EVIL,
  pattern: "bull_flag",
  catalyst: "earnings",
  catalystNews: { kind: "earnings", headline: EVIL, strength: 0.8, publishedAt: new Date(etInstant("2026-03-10", "08:12")).toISOString() },
  stopBasis: "pattern",
  openAfterClose: false,
  heldOvernight: false,
  scan: { scanId: "00000000-0000-4000-8000-000000000001", rank: 2, score: 0.81, reasons: [EVIL_REASON] },
  risk: { approved: true, verdicts: [{ rule: "max_daily_loss", ok: true, detail: EVIL }] },
  orders: [],
  fills: [],
};
const data: ReportPageData = {
  mode: "paper",
  asOf: now,
  today,
  open: [
    {
      positionId: 2,
      symbol: EVIL,
      side: "short",
      qty: "40.000000",
      avgEntryPrice: "25.5000",
      lastPrice: "25.2000",
      stopLoss: "26.1000",
      takeProfit: "24.3000",
      openedAt: new Date(etInstant("2026-03-10", "14:02")).toISOString(),
      unrealizedPnl: "12.00",
    },
  ],
  journal: [journalTrade],
};

describe("HTML escaping", () => {
  test("escapeHtml covers the five characters that matter", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });

  test("html`` escapes interpolated values (arrays too) but not nested html``", () => {
    const inner = html`<b>${EVIL}</b>`;
    expect(html`<p>${inner}${[EVIL, html`<i>ok</i>`]}${null}${undefined}${false}</p>`.text).toBe(
      `<p><b>${escapeHtml(EVIL)}</b>${escapeHtml(EVIL)}<i>ok</i></p>`,
    );
  });

  test("the page shows a malicious symbol, catalyst, pattern, close reason and scan reason as text, never as markup", () => {
    const page = reportPage(data);
    expect(page).not.toContain("<script");
    expect(page).not.toContain("<img");
    expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(page).toContain("&lt;img src=x onerror=&#39;alert(1)&#39;&gt; &amp; &quot;quoted&quot;");
  });
});

describe("the report page", () => {
  const page = reportPage(data);

  test("is one self-contained document: mode, as-of in ET, no external references", () => {
    expect(page.startsWith("<!doctype html>")).toBe(true);
    expect(page).toContain(`<span class="mode mode-paper">paper</span>`);
    expect(page).toContain("as of 2026-03-10 15:45 ET");
    expect(page).not.toMatch(/\s(src|href)=["']/);
  });

  test("has today's summary, the equity curve, open positions and the journal", () => {
    expect(page).toContain("+$50.00"); // realized
    expect(page).toContain("2 (1/1)");
    expect(page).toContain("<polyline");
    expect(page).toContain("09:30 ET"); // today's curve is drawn from the open, not from midnight
    expect(page).toContain("Open positions");
    expect(page).toContain("25.50"); // entry price, padding zeros dropped
    expect(page).toContain("#2 · score 0.81");
    expect(page).toContain("approved (1/1 ok)");
  });

  test("each trade shows its catalyst news (kind, strength, time, headline) and its stop's method beside its pattern", () => {
    expect(page).toContain("earnings <span class=\"reasons\">(strength 0.80, 08:12 ET)</span>");
    expect(page).toContain(`<td>bull_flag</td><td>pattern</td>`);
  });

  test("the score bands are listed best first, every one of them, with the trades each made", () => {
    const bands = [...page.matchAll(/<tr><td>(\d\.\d\d–\d\.\d\d)<\/td><td class="num">(\d+)<\/td>/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(bands).toEqual(["0.80–1.00:1", "0.60–0.80:0", "0.40–0.60:1", "0.20–0.40:0", "0.00–0.20:0"]);
  });

  test("a position still open after the close is flagged, and one held overnight by choice says so", () => {
    const after = (heldOvernight: boolean) =>
      reportPage({ ...data, journal: [{ ...journalTrade, status: "open", closedAt: null, closeReason: null, openAfterClose: true, heldOvernight }] });
    expect(after(false)).toContain(`<tr class="flag">`);
    expect(after(false)).toContain("still open after the close");
    expect(after(true)).toContain("held overnight (by choice)");
    expect(page).not.toContain(`<tr class="flag">`);
  });

  test("the equity curve has one point per curve entry and labelled axes", () => {
    const svg = equityChart(today.equityCurve).text;
    const points = /points="([^"]+)"/.exec(svg)![1]!.split(" ");
    expect(points).toHaveLength(3);
    expect(svg).toContain("$100,100.00"); // the top of the y axis
    expect(svg).toContain("00:00 ET");
    expect(svg).toContain("11:40 ET");
    expect(equityChart([]).text).toContain("No closed trades");
  });
});

describe("number formats", () => {
  test("money, P&L, quantities and prices from exact decimal strings", () => {
    expect(formatUsd("-1234.5")).toBe("−$1,234.50");
    expect(formatUsd("1000000")).toBe("$1,000,000.00");
    expect(formatPnl("0")).toBe("$0.00");
    expect(formatPnl("12.345")).toBe("+$12.35");
    expect(formatQty("100.000000")).toBe("100");
    expect(formatQty("2.500000")).toBe("2.5");
    expect(formatPrice("12.3000")).toBe("12.30");
    expect(formatPrice("0.5120")).toBe("0.512");
    expect(formatPrice(null)).toBe("—");
  });
});
