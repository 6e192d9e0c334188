/**
 * reporting over real HTTP on both backends: a realistic trading day is written straight into the
 * tables trading owns (orders, legs, fills, positions, a scan), the venue's clock is frozen on that
 * day, and every figure, journal entry and the HTML page must show exactly what was written.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres, { type Row, type Sql } from "postgres";
import { loadConfig, servicePort, type Config } from "../../src/config.ts";
import type { JournalTrade, Performance } from "../../src/contracts/reporting.ts";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { addDecimal, compareDecimal, roundDecimal, subtractDecimal, sumDecimal } from "../../src/domain/money.ts";
import { startAppliance, type Appliance } from "../../src/runtime/supervisor.ts";
import { BACKENDS, freePortBase, venueFetch } from "../support/env.ts";

const DAY = "2026-03-10"; // a Tuesday, two days after the switch to EDT
const NOW = etInstant(DAY, "15:45");
const SCAN_ID = "6f1c2a8e-0b7d-4c1e-9a55-3d2f7e9b1c40";
const EVIL = "<script>alert(1)</script>";
const EVIL_REASON = "<img src=x onerror=alert(1)> FDA approval";
const et = (hhmm: string, date = DAY) => new Date(etInstant(date, hhmm));
/** The news the scan credited XYZ's catalyst score with, as the scanner records it. */
const XYZ_NEWS = { kind: "fda", headline: "XYZ wins FDA approval for its lead drug", strength: 0.92, publishedAt: et("08:12").toISOString() };

interface SeededTrade {
  symbol: string;
  side: "long" | "short";
  qty: number;
  entry: string;
  openedAt: Date;
  /** Omitted: still open, marked at `last`. */
  exit?: { price: string; at: Date; via: "take_profit" | "stop_loss" | "exit"; reason: string; pnl: string };
  last?: string;
  stop: string;
  target: string;
  pattern?: string;
  metadata: Record<string, unknown>;
}

const risk = (approved: boolean) => ({
  mode: "sim",
  approved,
  verdicts: [
    { rule: "max_open_positions", ok: true, detail: "1 of 5 open" },
    { rule: "min_reward_risk", ok: true, detail: "2.00 ≥ 1.50" },
    { rule: "max_daily_loss", ok: true, detail: "0.00 of 2,000.00 used" },
  ],
  sizing: null,
  prices: { limitPrice: null, stopLoss: "9.50", takeProfit: "11.00" },
  asOf: et("09:40").toISOString(),
});

/** The id column of the one row a query returns. */
const idOf = async (query: PromiseLike<Row[]>, column: string) => String((await query)[0]![column]);

/** Writes one bracket trade as trading would: entry + stop/target legs (+ an exit order), fills, the position. */
async function seedTrade(sql: Sql, t: SeededTrade): Promise<number> {
  const securityId = await idOf(sql`select get_or_create_security(${t.symbol}) as id`, "id");
  const [open, close] = t.side === "long" ? (["buy", "sell"] as const) : (["sell", "buy"] as const);
  const key = `${t.symbol}-${t.openedAt.getTime()}`;
  const entryId = await idOf(sql`
    insert into orders (client_order_id, broker_order_id, security_id, role, order_class, side, order_type, time_in_force,
                        qty, filled_qty, filled_avg_price, status, broker_status, submitted_at, accepted_at, filled_at, metadata, created_at)
    values (${`cat-${key}-entry`}, ${`b-${key}-entry`}, ${securityId}, 'entry', 'bracket', ${open}, 'market', 'gtc',
            ${t.qty}, ${t.qty}, ${t.entry}, 'filled', 'filled', ${t.openedAt}, ${t.openedAt}, ${t.openedAt}, ${sql.json(t.metadata as never)}, ${t.openedAt})
    returning order_id`, "order_id");
  await sql`insert into fills (order_id, side, broker_fill_id, qty, price, filled_at) values (${entryId}, ${open}, ${`f-${key}-entry`}, ${t.qty}, ${t.entry}, ${t.openedAt})`;
  const x = t.exit;
  const positionId = await idOf(sql`
    insert into positions (security_id, entry_order_id, side, status, qty, avg_entry_price, opened_at, closed_at, avg_exit_price,
                           realized_pnl, last_price, last_price_at, stop_loss, take_profit, close_reason, pattern, catalyst)
    values (${securityId}, ${entryId}, ${t.side}, ${x ? "closed" : "open"}, ${x ? 0 : t.qty}, ${t.entry}, ${t.openedAt}, ${x?.at ?? null},
            ${x?.price ?? null}, ${x?.pnl ?? "0"}, ${t.last ?? null}, ${t.last ? et("15:44") : null}, ${t.stop}, ${t.target},
            ${x?.reason ?? null}, ${t.pattern ?? null}, ${(t.metadata.evidence as { catalyst?: string } | undefined)?.catalyst ?? null})
    returning position_id`, "position_id");
  await sql`update orders set position_id = ${positionId} where order_id = ${entryId}`;
  const leg = (role: "stop_loss" | "take_profit", filled: boolean) => sql`
    insert into orders (client_order_id, broker_order_id, security_id, position_id, parent_order_id, role, order_class, side, order_type,
                        time_in_force, qty, filled_qty, limit_price, stop_price, filled_avg_price, status, submitted_at, filled_at,
                        cancelled_at, cancel_reason, created_at)
    values (${`cat-${key}-${role}`}, ${`b-${key}-${role}`}, ${securityId}, ${positionId}, ${entryId}, ${role}, 'bracket', ${close},
            ${role === "stop_loss" ? "stop" : "limit"}, 'gtc', ${t.qty}, ${filled ? t.qty : 0},
            ${role === "take_profit" ? t.target : null}, ${role === "stop_loss" ? t.stop : null}, ${filled ? x!.price : null},
            ${filled ? "filled" : x ? "cancelled" : "accepted"}, ${t.openedAt}, ${filled ? x!.at : null},
            ${x && !filled ? x.at : null}, ${x && !filled ? "bracket sibling filled" : null}, ${t.openedAt})
    returning order_id`;
  const stopId = await idOf(leg("stop_loss", x?.via === "stop_loss"), "order_id");
  const targetId = await idOf(leg("take_profit", x?.via === "take_profit"), "order_id");
  if (!x) return Number(positionId);
  let exitOrderId = x.via === "stop_loss" ? stopId : targetId;
  if (x.via === "exit") {
    exitOrderId = await idOf(sql`
      insert into orders (client_order_id, broker_order_id, security_id, position_id, role, order_class, side, order_type, time_in_force,
                          qty, filled_qty, filled_avg_price, status, submitted_at, filled_at, created_at)
      values (${`cat-${key}-exit`}, ${`b-${key}-exit`}, ${securityId}, ${positionId}, 'exit', 'simple', ${close}, 'market', 'day',
              ${t.qty}, ${t.qty}, ${x.price}, 'filled', ${x.at}, ${x.at}, ${x.at})
      returning order_id`, "order_id");
  }
  await sql`insert into fills (order_id, side, broker_fill_id, qty, price, filled_at, received_via)
            values (${exitOrderId}, ${close}, ${`f-${key}-exit`}, ${t.qty}, ${x.price}, ${x.at}, 'poll')`;
  return Number(positionId);
}

/** An imported (external) position closed at `at`: no orders, just its realized P&L. */
async function seedExternal(sql: Sql, symbol: string, at: Date, pnl: string) {
  await sql`
    insert into positions (security_id, side, status, qty, avg_entry_price, opened_at, closed_at, avg_exit_price, realized_pnl, source, close_reason)
    values (get_or_create_security(${symbol}), 'long', 'closed', 0, '10', ${new Date(at.getTime() - 3_600_000)}, ${at}, '10', ${pnl}, 'external', 'doctor_phantom')`;
}

async function seedDay(sql: Sql) {
  await sql`
    insert into scans (scan_id, mode, as_of, trading_date, universe_size, prefiltered, enriched, scoring_version, weights, duration_ms)
    values (${SCAN_ID}, 'normal', ${et("09:38")}, ${DAY}, 6000, 120, 20, 'scan-3.0.0', ${sql.json({ catalyst: 0.4 })}, 1800)`;
  for (const [symbol, rank, score, reasons, metadata] of [
    ["XYZ", 2, "0.8123", ["bullish fda news decides the direction", "relative volume 4.1×"], { basis: "bull_flag", pattern: "bull_flag", catalyst: XYZ_NEWS }],
    ["DEF", 5, "0.6400", [EVIL_REASON], { basis: "atr" }],
  ] as const) {
    await sql`
      insert into scan_results (scan_id, security_id, scanned_at, rank, price, volume, composite_score, scoring_version, reasons, metadata)
      values (${SCAN_ID}, get_or_create_security(${symbol}), ${et("09:38")}, ${rank}, '10.00', 1000000, ${score}, 'scan-3.0.0',
              ${sql.json([...reasons])}, ${sql.json(metadata)})`;
  }
  const evidence = (extra: Record<string, unknown>) => ({ risk: risk(true), evidence: extra, idempotencyKey: `k-${Object.values(extra).join("-")}` });
  // Opened Monday, closed this morning: in Tuesday's P&L, in both days' journals.
  await seedTrade(sql, {
    symbol: "MNO", side: "long", qty: 20, entry: "5.0000", openedAt: et("15:50", "2026-03-09"), stop: "4.80", target: "5.60",
    exit: { price: "5.2500", at: et("09:35"), via: "exit", reason: "manual", pnl: "5.00" }, metadata: evidence({ note: "swing" }),
  });
  await seedTrade(sql, {
    symbol: "XYZ", side: "long", qty: 100, entry: "10.0000", openedAt: et("09:41"), stop: "9.50", target: "11.00", pattern: "bull_flag",
    exit: { price: "11.0000", at: et("10:05"), via: "take_profit", reason: "take_profit", pnl: "100.00" },
    metadata: evidence({ scanId: SCAN_ID, rank: 2, score: 0.81, pattern: "bull_flag", catalyst: "fda", stopBasis: "pattern" }),
  });
  // No pattern on the position: the entry order's evidence supplies it.
  await seedTrade(sql, {
    symbol: "ABC", side: "short", qty: 50, entry: "20.0000", openedAt: et("10:30"), stop: "21.00", target: "18.00",
    exit: { price: "21.0000", at: et("11:40"), via: "stop_loss", reason: "stop_loss", pnl: "-50.00" },
    metadata: evidence({ pattern: "gap_and_go", catalyst: "earnings" }),
  });
  await seedTrade(sql, {
    symbol: "DEF", side: "long", qty: 10, entry: "50.0000", openedAt: et("12:10"), stop: "48.00", target: "56.00",
    exit: { price: "53.0000", at: et("13:00"), via: "exit", reason: "manual", pnl: "30.00" },
    // An entry from before stopBasis: its evidence named the stop's method "atr" as its pattern.
    metadata: evidence({ scanId: SCAN_ID, rank: 5, score: 0.64, catalyst: EVIL, pattern: "atr" }),
  });
  await seedTrade(sql, {
    symbol: "JKL", side: "long", qty: 30, entry: "40.0000", openedAt: et("14:30"), stop: "39.00", target: "43.00", last: "41.5000",
    metadata: evidence({ catalyst: "analyst" }),
  });
  await seedExternal(sql, "GHI", et("15:00", "2026-03-09"), "-20.00"); // this week, not today
  await seedExternal(sql, "PQR", et("11:00", "2026-03-02"), "40.00"); // this month, not this week
  await seedExternal(sql, "STU", et("11:00", "2026-02-20"), "-15.00"); // only in all
}

for (const backend of BACKENDS) {
  describe(`reporting on ${backend.name}`, () => {
    let appliance: Appliance;
    let config: Config;
    let cleanup: () => Promise<void>;
    let sql: Sql;
    let equity: string;
    const api = (path: string, headers: Record<string, string> = { "x-api-key": appliance.apiKey.key }) =>
      fetch(`http://127.0.0.1:${servicePort(config, "reporting")}${path}`, { headers });
    const get = async <T>(path: string): Promise<T> => {
      const response = await api(path);
      expect(response.status).toBe(200);
      return (await response.json()) as T;
    };

    beforeAll(async () => {
      const prepared = await backend.prepare();
      cleanup = prepared.cleanup;
      config = loadConfig({ ...prepared.env, CATALYST_PORT_BASE: String(await freePortBase()), CATALYST_LOG_LEVEL: "error", VENUE_START: `${DAY}T10:00` });
      appliance = await startAppliance(config, { only: ["venue", "reporting"] });
      const venue = venueFetch(config, appliance.apiKey.key);
      // The market's now is the venue's: 15:45 ET on the seeded day, frozen.
      const clock = await venue("/admin/v1/clock", { method: "PUT", body: JSON.stringify({ time: new Date(NOW).toISOString(), paused: true }) });
      expect(clock.status).toBe(200);
      equity = (await (await venue("/v2/account")).json()).equity;
      sql = postgres(appliance.database.url, { max: 1, onnotice: () => undefined });
      await seedDay(sql);
    }, 120_000);

    afterAll(async () => {
      await sql?.end({ timeout: 5 });
      await appliance?.stop();
      await cleanup?.();
    });

    /** The period's starting equity as the service derives it: equity now − unrealized − realized in the period. */
    const startFor = (realized: string) => subtractDecimal(subtractDecimal(equity, "45.00"), realized);

    test("today: every figure equals the seeded trades, by the market's clock", async () => {
      const day = await get<Performance>("/api/v1/performance");
      const start = startFor("85.00");
      expect(day).toMatchObject({
        mode: "sim",
        period: "day",
        from: new Date(etInstant(DAY, "00:00")).toISOString(),
        to: new Date(NOW).toISOString(),
        trades: 4,
        wins: 3,
        losses: 1,
        winRatePct: 75,
        realizedPnl: "85.00",
        unrealizedPnl: "45.00", // JKL: (41.50 − 40.00) × 30
        grossProfit: "135.00",
        grossLoss: "-50.00",
        profitFactor: 2.7,
        expectancy: "21.25",
        avgWin: "45.00",
        avgLoss: "-50.00",
        maxDrawdown: "50.00",
        sharpe: null,
      });
      expect(day.maxDrawdownPct).toBeCloseTo((50 / Number(addDecimal(start, "105"))) * 100, 4);
      expect(day.equityCurve.map((p) => p.equity)).toEqual(["0", "5", "105", "55", "85"].map((pnl) => roundDecimal(addDecimal(start, pnl), 2)));
      expect(day.equityCurve.at(-1)!.at).toBe(et("13:00").toISOString());
      expect(day.byPattern).toEqual([
        { key: "bull_flag", trades: 1, pnl: "100.00", winRatePct: 100 },
        { key: "none", trades: 2, pnl: "35.00", winRatePct: 100 },
        { key: "gap_and_go", trades: 1, pnl: "-50.00", winRatePct: 0 },
      ]);
      expect(day.byCatalyst.map((b) => [b.key, b.pnl])).toEqual([
        ["fda", "100.00"],
        [EVIL, "30.00"],
        ["none", "5.00"],
        ["earnings", "-50.00"],
      ]);
      // By the scan score entered on: XYZ 0.81, DEF 0.64; MNO and ABC had none. The rows add up to the day.
      expect(day.byScore.filter((b) => b.trades > 0)).toEqual([
        { key: "0.80–1.00", trades: 1, pnl: "100.00", winRatePct: 100 },
        { key: "0.60–0.80", trades: 1, pnl: "30.00", winRatePct: 100 },
        { key: "no score", trades: 2, pnl: "-45.00", winRatePct: 50 },
      ]);
      expect(day.byScore.reduce((n, b) => n + b.trades, 0)).toBe(day.trades);
      expect(compareDecimal(sumDecimal(day.byScore.map((b) => b.pnl)), day.realizedPnl)).toBe(0);
    });

    test("week, month and all widen the window; Sharpe needs two days", async () => {
      const week = await get<Performance>("/api/v1/performance?period=week");
      expect(week).toMatchObject({ from: new Date(etInstant("2026-03-09", "00:00")).toISOString(), trades: 5, realizedPnl: "65.00", losses: 2 });
      const start = Number(startFor("65.00"));
      const returns = [-20 / start, 85 / (start - 20)];
      const mean = (returns[0]! + returns[1]!) / 2;
      const stdev = Math.sqrt((returns[0]! - mean) ** 2 + (returns[1]! - mean) ** 2);
      expect(week.sharpe!).toBeCloseTo((mean / stdev) * Math.sqrt(252), 3);
      const month = await get<Performance>("/api/v1/performance?period=month");
      expect(month).toMatchObject({ from: new Date(etInstant("2026-03-01", "00:00")).toISOString(), trades: 6, realizedPnl: "105.00" });
      const all = await get<Performance>("/api/v1/performance?period=all");
      expect(all).toMatchObject({ from: null, trades: 7, realizedPnl: "90.00", grossLoss: "-85.00" });
      expect(all.equityCurve[0]).toEqual({ at: et("11:00", "2026-02-20").toISOString(), equity: roundDecimal(startFor("90.00"), 2) });
    });

    test("another day's performance (the summary of a day the clock passed): that ET day, to its end", async () => {
      const monday = await get<Performance>("/api/v1/performance?period=day&date=2026-03-09");
      expect(monday).toMatchObject({
        from: new Date(etInstant("2026-03-09", "00:00")).toISOString(),
        to: new Date(etInstant(DAY, "00:00") - 1).toISOString(),
        trades: 1,
        losses: 1,
        realizedPnl: "-20.00",
      });
      expect(await get<Performance>(`/api/v1/performance?date=${DAY}`)).toMatchObject({ to: new Date(NOW).toISOString(), trades: 4, realizedPnl: "85.00" });
    });

    test("the journal: every position opened or closed today, with orders, fills, risk verdicts and scan evidence", async () => {
      const journal = await get<{ mode: string; date: string; trades: JournalTrade[] }>("/api/v1/journal");
      expect(journal.mode).toBe("sim");
      expect(journal.date).toBe(DAY); // the venue's day, not the machine's
      expect(journal.trades.map((t) => [t.symbol, t.status])).toEqual([
        ["MNO", "closed"],
        ["XYZ", "closed"],
        ["ABC", "closed"],
        ["DEF", "closed"],
        ["JKL", "open"],
      ]);
      const [mno, xyz, abc, def, jkl] = journal.trades as [JournalTrade, JournalTrade, JournalTrade, JournalTrade, JournalTrade];
      expect(xyz).toMatchObject({
        side: "long",
        qty: "100.000000",
        avgEntryPrice: "10.0000",
        avgExitPrice: "11.0000",
        realizedPnl: "100.00",
        openedAt: et("09:41").toISOString(),
        closedAt: et("10:05").toISOString(),
        closeReason: "take_profit",
        pattern: "bull_flag",
        stopBasis: "pattern",
        catalyst: "fda",
        // The news-driven trade is linked to the news itself: kind, headline, strength, time.
        catalystNews: XYZ_NEWS,
        scan: { scanId: SCAN_ID, rank: 2, score: 0.8123, reasons: ["bullish fda news decides the direction", "relative volume 4.1×"] },
        openAfterClose: false,
      });
      expect(xyz.risk).toEqual({ approved: true, verdicts: risk(true).verdicts });
      expect(xyz.orders.map((o) => [o.role, o.side, o.status])).toEqual([
        ["entry", "buy", "filled"],
        ["stop_loss", "sell", "cancelled"],
        ["take_profit", "sell", "filled"],
      ]);
      const entryId = xyz.orders[0]!.orderId;
      expect(xyz.orders.slice(1).every((o) => o.parentOrderId === entryId && o.symbol === "XYZ")).toBe(true);
      expect(xyz.fills.map((f) => [f.side, f.qty, f.price])).toEqual([
        ["buy", "100.000000", "10.0000"],
        ["sell", "100.000000", "11.0000"],
      ]);
      expect(abc).toMatchObject({ side: "short", qty: "50.000000", pattern: "gap_and_go", catalyst: "earnings", scan: null, closeReason: "stop_loss" });
      expect(abc.orders.map((o) => [o.role, o.side, o.status])).toEqual([
        ["entry", "sell", "filled"],
        ["stop_loss", "buy", "filled"],
        ["take_profit", "buy", "cancelled"],
      ]);
      expect(def.scan).toEqual({ scanId: SCAN_ID, rank: 5, score: 0.64, reasons: [EVIL_REASON] });
      // "atr" is how a stop was set, not a chart pattern; and no news was recorded for DEF's scan row.
      expect(def).toMatchObject({ pattern: null, catalystNews: null, catalyst: EVIL });
      expect(def.orders.map((o) => o.role)).toEqual(["entry", "stop_loss", "take_profit", "exit"]);
      expect(mno).toMatchObject({ openedAt: et("15:50", "2026-03-09").toISOString(), closedAt: et("09:35").toISOString(), scan: null });
      // Open at 15:45, before the bell: not yet a position left open after the close.
      expect(jkl).toMatchObject({ status: "open", qty: "30.000000", closedAt: null, avgExitPrice: null, realizedPnl: "0.00", openAfterClose: false });
      expect(jkl.orders.map((o) => o.status)).toEqual(["filled", "accepted", "accepted"]);
      expect(jkl.fills).toHaveLength(1);
    });

    test("another day's journal; imports have no orders and no risk decision", async () => {
      const monday = await get<{ date: string; trades: JournalTrade[] }>("/api/v1/journal?date=2026-03-09");
      expect(monday.trades.map((t) => t.symbol)).toEqual(["GHI", "MNO"]);
      expect(monday.trades[0]).toMatchObject({ orders: [], fills: [], risk: null, scan: null, qty: "0.000000", realizedPnl: "-20.00" });
      expect((await get<{ trades: JournalTrade[] }>("/api/v1/journal?date=2026-03-07")).trades).toEqual([]);
    });

    test("bad input is a 422 naming the field; no key is a 401", async () => {
      for (const [path, field] of [
        ["/api/v1/performance?period=year", "period"],
        ["/api/v1/performance?date=2026-02-30", "date"],
        ["/api/v1/journal?date=2026-02-30", "date"],
        ["/api/v1/journal?date=10-03-2026", "date"],
      ] as const) {
        const response = await api(path);
        expect(response.status).toBe(422);
        expect((await response.json()).error).toMatchObject({ code: "validation_failed", field });
      }
      for (const path of ["/", "/api/v1/performance", "/api/v1/journal"]) {
        const response = await api(path, {});
        expect(response.status).toBe(401);
      }
    });

    test("the HTML page: mode, as-of, equity curve, tables, untrusted text escaped", async () => {
      const response = await api("/");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const page = await response.text();
      expect(page).toContain(`<span class="mode mode-sim">sim</span>`);
      expect(page).toContain(`as of ${DAY} 15:45 ET`);
      expect(page).toContain("<polyline");
      expect(page).toContain("JKL");
      expect(page).toContain("+$45.00");
      expect(page).not.toContain("<script");
      expect(page).not.toContain("<img");
      expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
      expect(page).toContain("&lt;img src=x onerror=alert(1)&gt; FDA approval");
      expect(page).toContain("XYZ wins FDA approval for its lead drug");
      expect(page).toContain("By scan score");
    });

    // Last: it moves the market past the bell.
    test("after the close, the position still open is flagged in the journal and on the page", async () => {
      const venue = venueFetch(config, appliance.apiKey.key);
      expect((await venue("/admin/v1/clock", { method: "PUT", body: JSON.stringify({ time: et("16:10").toISOString(), paused: true }) })).status).toBe(200);
      const journal = await get<{ trades: JournalTrade[] }>("/api/v1/journal");
      expect(journal.trades.filter((t) => t.openAfterClose).map((t) => t.symbol)).toEqual(["JKL"]);
      const page = await (await api("/")).text();
      expect(page).toContain("still open after the close");
    });
  });
}
