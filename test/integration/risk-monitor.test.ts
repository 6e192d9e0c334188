/**
 * The daily-loss monitor in the running risk service, over the whole account: a real loss is made
 * at the venue (round trips through trading, clock paused between them), then the limit in force
 * is set around it. At 80 % used it warns once (risk_events, and `catalyst:risk_alert` on Redis);
 * past 100 % it halts entries for the rest of the day — still halted after the limit is raised
 * again, because the monitor recorded the halt — and escalates once.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisBus } from "../../src/adapters/bus/redis.ts";
import { addDecimal, compareDecimal, divideDecimal, multiplyDecimal } from "../../src/domain/money.ts";
import { liquidSymbols, startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { BACKENDS, waitFor } from "../support/env.ts";

for (const backend of BACKENDS) {
  describe(`daily-loss monitor on ${backend.name}`, () => {
    let t: TestAppliance;
    let bus: RedisBus | null = null;
    const alerts: Record<string, unknown>[] = [];
    let symbol = "";
    let price = 0;

    beforeAll(async () => {
      t = await startTestAppliance(backend, { VENUE_START: "2026-03-10T10:30", RISK_MONITOR_SECONDS: "0.2", BROKER_REQUESTS_PER_MINUTE: "1000000" }, [
        "venue",
        "risk",
        "trading",
      ]);
      await t.venue("/admin/v1/clock", { method: "PUT", body: { paused: true } });
      ({ symbol, price } = (await liquidSymbols(t, 1))[0]!);
      if (t.config.redisUrl) {
        bus = new RedisBus(t.config.redisUrl, t.config.busNamespace, "risk-monitor-test");
        await bus.connect();
        bus.subscribe("risk_alert", (m) => alerts.push({ ...(m.payload as Record<string, unknown>), publishedBy: m.source }));
      }
    }, 60_000);

    afterAll(async () => {
      await bus?.close();
      await t?.stop();
    });

    const status = async () => {
      const response = await t.api("risk", "/api/v1/risk/status");
      expect(response.status).toBe(200);
      return response.body;
    };
    const setMaxDailyLoss = async (value: string) => {
      const response = await t.api("risk", "/api/v1/risk/parameters", { method: "PUT", body: { changes: { maxDailyLoss: value }, reason: "daily-loss monitor test" } });
      expect(response.status).toBe(200);
    };
    const lossEvents = async (type: string) => t.sql`select severity, message from risk_events where event_type = ${type}`;
    /** Waits for the monitor's first event of `type`. */
    const firstLossEvent = async (type: string) =>
      (
        await waitFor(`a ${type} event`, async () => {
          const events = await lossEvents(type);
          return events.length > 0 ? events : null;
        })
      )[0]!;
    const entry = () => ({
      symbol,
      side: "long",
      type: "market",
      qty: Math.floor(5000 / price),
      stopLoss: (price * 0.97).toFixed(2),
      takeProfit: (price * 1.08).toFixed(2),
      source: "api",
    });

    /** Buys at market and sells it again through trading: the spread and slippage are a real loss at the venue. */
    async function roundTrip(): Promise<void> {
      const placed = await t.api("trading", "/api/v1/orders", { body: entry() });
      expect(placed.status).toBe(200);
      await t.venue("/admin/v1/clock/advance", { body: { seconds: 2 } });
      const position = await waitFor("the entry's position", async () => {
        const open = await t.api("trading", `/api/v1/positions?status=open`);
        return open.body.positions.find((p: { symbol: string }) => p.symbol === symbol);
      });
      const closed = await t.api("trading", `/api/v1/positions/${position.positionId}/close`, { body: { reason: "monitor test" } });
      expect(closed.status).toBe(200);
      await t.venue("/admin/v1/clock/advance", { body: { seconds: 2 } });
      await waitFor("the position closed", async () => {
        const open = await t.api("trading", `/api/v1/positions?status=open`);
        return !open.body.positions.some((p: { symbol: string }) => p.symbol === symbol);
      });
    }

    let loss = "0";
    test("a real loss at the venue shows in today's P&L (whole account)", async () => {
      for (let trip = 0; trip < 8 && compareDecimal(loss, "0") <= 0; trip++) {
        await roundTrip();
        const pnl = (await status()).dailyPnl.accountChange as string;
        loss = multiplyDecimal(pnl, "-1");
      }
      expect(compareDecimal(loss, "0")).toBeGreaterThan(0);
      const { dailyPnl, halted } = await status();
      expect(dailyPnl.level).toBe("ok");
      expect(halted).toBeNull();
    }, 60_000);

    test("80 % of the limit used: one warning, entries still allowed", async () => {
      await setMaxDailyLoss(divideDecimal(multiplyDecimal(loss, "100"), "80", 2, "floor"));
      expect((await firstLossEvent("daily_loss_warning")).severity).toBe("warning");
      await Bun.sleep(1_000); // five more monitor ticks: still one warning
      expect(await lossEvents("daily_loss_warning")).toHaveLength(1);
      const now = await status();
      expect(now.dailyPnl.level).toBe("warning");
      expect(now.halted).toBeNull();
      expect(now.entriesAllowed).toBe(true);
      if (bus) expect(alerts.filter((a) => a.kind === "daily_loss_warning").map((a) => [a.level, a.publishedBy])).toEqual([["warning", "risk"]]);
    }, 30_000);

    test("past the limit: halted for the day and escalated once, even after the limit is raised again", async () => {
      await setMaxDailyLoss(divideDecimal(multiplyDecimal(loss, "90"), "100", 2, "floor"));
      expect((await firstLossEvent("daily_loss_halt")).severity).toBe("critical");
      // Raised well above the loss: the computed level is ok again, but the recorded halt stands.
      await setMaxDailyLoss(addDecimal(loss, "1000"));
      const now = await status();
      expect(now.dailyPnl.level).toBe("ok");
      expect(now.halted?.reason).toContain("daily loss limit reached");
      expect(now.entriesAllowed).toBe(false);

      const before = await t.sql`select count(*)::int as n from orders`;
      const refused = await t.api("trading", "/api/v1/orders", { body: entry() });
      expect(refused.status).toBe(422);
      const verdicts = refused.body.error.details.verdicts as { rule: string; ok: boolean; detail: string }[];
      expect(verdicts.find((v) => v.rule === "daily_loss_halt")).toMatchObject({ ok: false });
      expect((await t.sql`select count(*)::int as n from orders`)[0]!.n).toBe(before[0]!.n);

      await Bun.sleep(1_000);
      expect(await lossEvents("daily_loss_halt")).toHaveLength(1);
      if (bus) expect(alerts.filter((a) => a.kind === "daily_loss_halt").map((a) => [a.level, a.publishedBy])).toEqual([["critical", "risk"]]);
    }, 30_000);
  });
}
