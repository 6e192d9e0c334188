/**
 * `bun scripts/report-screenshot.ts [out.html]`: renders the reporting page for a realistic sample
 * day (no database, no broker) and, when chromium is installed, screenshots it next to the HTML,
 * to eyeball the layout. Sample data only; nothing here is used by the service.
 */
import type { JournalTrade, Performance } from "../src/contracts/reporting.ts";
import { etInstant } from "../src/domain/exchange-calendar.ts";
import { performanceMetrics } from "../src/domain/reporting/performance.ts";
import type { ClosedTrade } from "../src/domain/reporting/trade-stats.ts";
import { unrealizedPnl } from "../src/domain/reporting/unrealized.ts";
import { reportPage } from "../src/services/reporting/page.ts";

const DAY = "2026-03-10";
const at = (hhmm: string) => new Date(etInstant(DAY, hhmm)).toISOString();
const out = process.argv[2] ?? "/tmp/catalyst-report.html";

interface Sample {
  symbol: string;
  side: "long" | "short";
  qty: string;
  entry: string;
  exit: string;
  opened: string;
  closed: string;
  pnl: string;
  reason: string;
  pattern: string | null;
  catalyst: string | null;
  rank: number | null;
  why: string[];
}

const SAMPLES: Sample[] = [
  { symbol: "NVTS", side: "long", qty: "400", entry: "6.12", exit: "6.48", opened: "09:41", closed: "10:07", pnl: "144.00", reason: "take_profit", pattern: "gap_and_go", catalyst: "contract", rank: 1, why: ["catalyst: $220M DoD contract (strength 0.91)", "relative volume 6.3×"] },
  { symbol: "SMCI", side: "long", qty: "60", entry: "41.80", exit: "41.10", opened: "09:52", closed: "10:31", pnl: "-42.00", reason: "stop_loss", pattern: "bull_flag", catalyst: "earnings", rank: 3, why: ["earnings beat, guidance raised", "flag above VWAP"] },
  { symbol: "BRK.B", side: "long", qty: "10", entry: "478.20", exit: "481.95", opened: "10:15", closed: "11:02", pnl: "37.50", reason: "take_profit", pattern: "vwap_reclaim", catalyst: "analyst", rank: 6, why: ["upgrade to overweight"] },
  { symbol: "RIVN", side: "short", qty: "300", entry: "11.40", exit: "11.58", opened: "10:44", closed: "11:20", pnl: "-54.00", reason: "stop_loss", pattern: null, catalyst: "offering", rank: 4, why: ["<script>alert('offering')</script> $1.5B secondary"] },
  { symbol: "HIMS", side: "long", qty: "150", entry: "24.05", exit: "24.92", opened: "11:35", closed: "13:10", pnl: "130.50", reason: "manual", pattern: "breakout", catalyst: "fda", rank: 2, why: ["FDA clears compounded GLP-1 label"] },
  { symbol: "PLTR", side: "long", qty: "80", entry: "88.30", exit: "88.05", opened: "13:42", closed: "14:18", pnl: "-20.00", reason: "stop_loss", pattern: "abcd", catalyst: "contract", rank: 5, why: ["Army data contract extension"] },
];

const trades: ClosedTrade[] = SAMPLES.map((s) => ({ closedAt: at(s.closed), realizedPnl: s.pnl, pattern: s.pattern, catalyst: s.catalyst }));
const open = [
  { positionId: 7, symbol: "SOUN", side: "long" as const, qty: "500.000000", avgEntryPrice: "9.8200", lastPrice: "10.0400", stopLoss: "9.5500", takeProfit: "10.6000", openedAt: at("14:51") },
  { positionId: 8, symbol: "MARA", side: "short" as const, qty: "200.000000", avgEntryPrice: "17.6500", lastPrice: "17.7100", stopLoss: "18.0500", takeProfit: "16.9000", openedAt: at("15:12") },
].map((p) => ({ ...p, unrealizedPnl: unrealizedPnl(p) }));

const dayStart = etInstant(DAY, "00:00");
const now = etInstant(DAY, "15:45");
const today: Performance = {
  mode: "paper",
  period: "day",
  from: new Date(dayStart).toISOString(),
  to: new Date(now).toISOString(),
  unrealizedPnl: "98.00",
  ...performanceMetrics(trades, "100000.00", etInstant(DAY, "09:30")),
};
const journal: JournalTrade[] = SAMPLES.map((s, i) => ({
  positionId: i + 1,
  symbol: s.symbol,
  side: s.side,
  status: "closed",
  qty: s.qty,
  avgEntryPrice: s.entry,
  avgExitPrice: s.exit,
  realizedPnl: s.pnl,
  openedAt: at(s.opened),
  closedAt: at(s.closed),
  closeReason: s.reason,
  pattern: s.pattern,
  catalyst: s.catalyst,
  catalystNews: null,
  stopBasis: s.pattern === null ? "atr" : "pattern",
  openAfterClose: false,
  heldOvernight: false,
  scan: s.rank === null ? null : { scanId: "6f1c2a8e-0b7d-4c1e-9a55-3d2f7e9b1c40", rank: s.rank, score: 0.9 - s.rank * 0.05, reasons: s.why },
  risk: { approved: true, verdicts: [{ rule: "max_open_positions", ok: true, detail: "ok" }, { rule: "min_reward_risk", ok: true, detail: "ok" }] },
  orders: [],
  fills: [],
}));

await Bun.write(out, reportPage({ mode: "paper", asOf: now, today, open, journal }));
console.log(`wrote ${out}`);
const chromium = Bun.which("chromium") ?? Bun.which("chromium-browser");
if (chromium) {
  const png = out.replace(/\.html$/, ".png");
  const run = Bun.spawnSync([chromium, "--headless", "--no-sandbox", "--disable-gpu", `--screenshot=${png}`, "--window-size=1280,1000", `file://${out}`]);
  console.log(run.exitCode === 0 ? `wrote ${png}` : `chromium failed (${run.exitCode}): ${run.stderr.toString().slice(-500)}`);
} else {
  console.log("chromium not found: open the HTML in a browser instead");
}
