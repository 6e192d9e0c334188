/**
 * Risk never passes silently, over real HTTP against the venue, on both backends:
 * - sim mode loads the venue's sectors into securities, and the sector limit refuses a
 *   concentrated entry end to end (risk's /validate and trading's /orders);
 * - a position whose stop was cancelled counts at its full mark value: the at-risk figure jumps
 *   and the daily-loss budget refuses what it allowed before;
 * - on a closed day the venue's quote is Friday's close, and a market entry is refused stale_quote;
 * - `catalyst sectors import FILE.csv` beside a running serve: a good file lands in securities,
 *   a bad line refuses the whole file naming its line and field, writing nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { liquidSymbols, startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { cancelLegsAtBroker, openBracket } from "../support/doctor-drift.ts";
import { cli } from "../support/cli.ts";
import { BACKENDS, tempDir } from "../support/env.ts";

const ENV = { VENUE_START: "2026-03-10T10:30", BROKER_REQUESTS_PER_MINUTE: "100000", DOCTOR_TICK_SECONDS: "86400" };

/** A long bracket 3 % below / 7.5 % above the price: reward:risk 2.5. */
function longIntent(symbol: string, price: number, extra: Record<string, unknown> = {}) {
  return { symbol, side: "long", type: "market", stopLoss: (price * 0.97).toFixed(2), takeProfit: (price * 1.075).toFixed(2), source: "api", ...extra };
}

function verdictOf(body: any, rule: string): { rule: string; ok: boolean; detail: string } {
  const found = (body.verdicts ?? body.error?.details?.verdicts ?? []).find((v: { rule: string }) => v.rule === rule);
  if (!found) throw new Error(`no ${rule} verdict in ${JSON.stringify(body)}`);
  return found;
}

async function sectorOfSecurity(t: Pick<TestAppliance, "sql">, symbol: string): Promise<string | null> {
  const [row] = await t.sql`select sec.sector_code from securities s left join sectors sec using (sector_id) where s.symbol = ${symbol}`;
  return row ? row.sector_code : null;
}

for (const backend of BACKENDS) {
  describe(`risk sectors, unprotected positions and quote age on ${backend.name}`, () => {
    let t: TestAppliance;
    let liquid: { symbol: string; price: number; sector: string }[];

    beforeAll(async () => {
      t = await startTestAppliance(backend, ENV, ["venue", "risk", "trading"]);
      const { sectors } = await t.venue("/admin/v1/sectors");
      const codes = new Map((await t.sql`select sector_name, sector_code from sectors`).map((r) => [r.sector_name, r.sector_code]));
      const sectorOf = new Map<string, string>(sectors.map((s: { symbol: string; sector: string }) => [s.symbol, codes.get(s.sector)]));
      liquid = (await liquidSymbols(t, 40)).map((s) => ({ ...s, sector: sectorOf.get(s.symbol)! }));
    }, 60_000);
    afterAll(async () => t?.stop());

    test("the venue's sectors reach securities, and the sector limit refuses a concentrated entry", async () => {
      const [a, b] = Object.values(Object.groupBy(liquid, (s) => s.sector)).find((group) => group!.length >= 2)!;
      const c = liquid.find((s) => s.sector !== a!.sector)!;
      const limited = await t.api("risk", "/api/v1/risk/parameters", { method: "PUT", body: { changes: { maxSectorExposurePct: 15 }, reason: "sector test" } });
      expect(limited.status).toBe(200);

      // About $9,000 of A; the risk-sized entry in B would be the $10,000 position limit: $19,000 > 15 % of $100,000.
      const first = await t.api("trading", "/api/v1/orders", { body: longIntent(a!.symbol, a!.price, { qty: Math.floor(9_000 / a!.price) }) });
      expect({ status: first.status, error: first.body.error ?? null }).toEqual({ status: 200, error: null });
      expect(await sectorOfSecurity(t, a!.symbol)).toBe(a!.sector);

      const concentrated = await t.api("risk", "/api/v1/risk/validate", { body: { intent: longIntent(b!.symbol, b!.price) } });
      expect(concentrated.status).toBe(200);
      expect(concentrated.body.approved).toBe(false);
      expect(verdictOf(concentrated.body, "sector_exposure")).toMatchObject({
        ok: false,
        detail: expect.stringMatching(new RegExp(`^sector ${a!.sector}: \\$\\d+\\.\\d{2} held or working \\+ \\$\\d+\\.\\d{2} this entry = .* against 15\\.00% of equity = \\$15000\\.00; reduce the size or exit another ${a!.sector} position$`)),
      });
      const refused = await t.api("trading", "/api/v1/orders", { body: longIntent(b!.symbol, b!.price) });
      expect(refused.status).toBe(422);
      expect(verdictOf(refused.body, "sector_exposure").ok).toBe(false);
      // Risk's status shows the same bucket against the same cap (the cockpit's sector gauges).
      const usage = (await t.api("risk", "/api/v1/risk/status")).body.usage;
      const bucket = usage.bySector.find((x: { sector: string }) => x.sector === a!.sector);
      expect(Number(bucket.exposureUsd)).toBeGreaterThan(8_000);
      expect(Number(bucket.exposureUsd)).toBeLessThan(10_000);
      expect(Number(bucket.capUsd)).toBeCloseTo(0.15 * Number(usage.equity), 1);

      const elsewhere = await t.api("risk", "/api/v1/risk/validate", { body: { intent: longIntent(c.symbol, c.price) } });
      expect(verdictOf(elsewhere.body, "sector_exposure")).toMatchObject({ ok: true, detail: expect.stringContaining(`sector ${c.sector}: $0.00 held`) });

      await t.api("risk", "/api/v1/risk/parameters", { method: "PUT", body: { changes: { maxSectorExposurePct: 40 }, reason: "sector test done" } });
    }, 60_000);

    test("a position whose stop was cancelled counts at its full mark value", async () => {
      const held = new Set((await t.api("trading", "/api/v1/positions")).body.positions.map((p: { symbol: string }) => p.symbol));
      const [d, e] = liquid.filter((s) => !held.has(s.symbol)).slice(-2);
      const qty = Math.ceil(2_500 / d!.price);
      const position = await openBracket(t, d!.symbol, d!.price, qty);
      const probe = { intent: longIntent(e!.symbol, e!.price, { qty: 10 }) };

      const before = (await t.api("risk", "/api/v1/risk/status")).body.usage;
      expect(before.unprotectedPositions).toBe(0);
      // Its stop is 10 % under the entry: about $250 of the ~$2,500 is at risk, well inside the $2,000 budget.
      expect(Number(before.atRiskUsd)).toBeLessThan(0.2 * qty * d!.price + 1_000);
      expect(verdictOf((await t.api("risk", "/api/v1/risk/validate", { body: probe })).body, "daily_loss_budget").ok).toBe(true);

      await cancelLegsAtBroker(t, position);
      const after = (await t.api("risk", "/api/v1/risk/status")).body.usage;
      expect(after.unprotectedPositions).toBe(1);
      const [mark] = await t.sql`select coalesce(last_price, avg_entry_price)::float8 as mark from positions where position_id = ${position.positionId}`;
      // The whole position now (marks move a little between reads at the venue's 1×).
      expect(Number(after.atRiskUsd) - Number(before.atRiskUsd)).toBeGreaterThan(0.8 * qty * mark!.mark);
      expect(verdictOf((await t.api("risk", "/api/v1/risk/validate", { body: probe })).body, "daily_loss_budget")).toMatchObject({
        ok: false,
        detail: expect.stringContaining("of the $2000.00 limit"),
      });
    }, 60_000);

    test("`catalyst sectors import`: a good file reaches securities; a bad line refuses the file, writing nothing", async () => {
      const env = { CATALYST_DATA_DIR: t.config.dataDir, ...(t.config.databaseUrl ? { DATABASE_URL: t.config.databaseUrl } : {}) };
      const dir = tempDir();
      const [a] = (await t.sql`select s.symbol from orders o join securities s using (security_id) where o.role = 'entry' order by o.order_id limit 1`).map((r) => r.symbol as string);
      const other = (await sectorOfSecurity(t, a!)) === "XLU" ? "XLE" : "XLU";
      const good = join(dir.path, "good.csv");
      writeFileSync(good, `symbol,sector\n${a},${other}\nnewco,Health Care\n`);
      const imported = await cli(env, "sectors", "import", good);
      expect({ code: imported.code, stderr: imported.stderr }).toEqual({ code: 0, stderr: "" });
      expect(imported.stdout).toBe(`imported 2 symbols' sectors from ${good} (2 new or changed)\n`);
      expect(await sectorOfSecurity(t, a!)).toBe(other);
      await t.sql`select get_or_create_security('NEWCO')`;
      expect(await sectorOfSecurity(t, "NEWCO")).toBe("XLV");

      const bad = join(dir.path, "bad.csv");
      writeFileSync(bad, `symbol,sector\nZZQT,XLK\n${a},Tech\n`);
      const refused = await cli(env, "sectors", "import", bad);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`catalyst: ${bad} line 3, field sector: "Tech" is not a sector`);
      expect(refused.stderr).toContain("nothing was imported");
      expect(await t.sql`select symbol from symbol_sectors where symbol = 'ZZQT'`).toHaveLength(0);
      expect(await sectorOfSecurity(t, a!)).toBe(other);
      dir.remove();
    }, 60_000);

    test("on a Sunday the venue's latest quote is Friday's close, and a market entry is refused stale_quote", async () => {
      const { symbol, price } = liquid[0]!;
      await t.venue("/admin/v1/clock", { method: "PUT", body: { time: new Date(etInstant("2026-03-15", "12:00")).toISOString() } });
      const snapshot = await t.venue(`/v2/stocks/${symbol}/snapshot`);
      const fridayClose = new Date(etInstant("2026-03-13", "16:00")).toISOString();
      expect({ trade: snapshot.latestTrade.t, quote: snapshot.latestQuote.t }).toEqual({ trade: fridayClose, quote: fridayClose });

      const market = await t.api("risk", "/api/v1/risk/validate", { body: { intent: longIntent(symbol, price) } });
      expect(market.body.approved).toBe(false);
      expect(verdictOf(market.body, "stale_quote")).toMatchObject({
        ok: false,
        detail: expect.stringContaining("s old (quoted at 2026-03-13T16:00:00-04:00); a market entry needs one at most 60 s old"),
      });
      const limit = await t.api("risk", "/api/v1/risk/validate", { body: { intent: longIntent(symbol, price, { type: "limit", limitPrice: price.toFixed(2) }) } });
      expect(verdictOf(limit.body, "stale_quote").ok).toBe(true);
    }, 60_000);
  });
}
