/**
 * Autostart and day boundaries over real HTTP on both backends, the venue clock paused and moved
 * by the test through Thanksgiving week 2026: the cycle starts itself at 09:15 on a trading day;
 * a day the trader skipped is left alone; yesterday's live cycle is finished when today begins —
 * synced, its leftover position (whose stop was cancelled behind Catalyst's back) given a working
 * stop at the venue, closed with its reason — for a tick and for a manual start alike; Thanksgiving
 * starts nothing; the emergency stop blocks the start, recorded and alerted once, until cleared; a
 * broker outage across the next open starts and records nothing until the broker answers again.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { liquidSymbols, startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { BACKENDS, waitFor } from "../support/env.ts";
import { startWebhookSink, type WebhookSink } from "../support/webhook-sink.ts";

const MON = "2026-11-23";
const TUE = "2026-11-24";
const WED = "2026-11-25";
const THU = "2026-11-26";
const FRI = "2026-11-27";
const NEXT_TUE = "2026-12-01";

for (const backend of BACKENDS) {
  describe(`autostart on ${backend.name}`, () => {
    let t: TestAppliance;
    let hook: WebhookSink;
    let mondayCycle = "";
    let leftover = { positionId: 0, symbol: "", cancelledStop: "" };

    const setClock = (day: string, wallTime: string) => t.venue("/admin/v1/clock", { method: "PUT", body: { time: new Date(etInstant(day, wallTime)).toISOString(), paused: true } });
    const tick = async () => {
      const response = await t.api("workflow", "/api/v1/workflow/tick", { method: "POST" });
      expect(response.status).toBe(200);
      return response.body as { cycle: { cycleId: string; tradingDate: string; state: string } | null; actions: string[] };
    };
    const decisions = async (day: string) => [
      ...(await t.sql`select decision, reason, cycle_id from workflow_day_decisions where trading_date = ${day} order by decision_id`),
    ];

    beforeAll(async () => {
      hook = startWebhookSink();
      t = await startTestAppliance(
        backend,
        {
          VENUE_START: `${MON}T09:00`,
          CYCLE_AUTOSTART: "normal",
          // The test ticks by hand; no scheduled doctor sweep opens issues behind it.
          WORKFLOW_TICK_SECONDS: "3600",
          DOCTOR_TICK_SECONDS: "86400",
          BROKER_REQUESTS_PER_MINUTE: "1000000",
          ALERT_WEBHOOK_URL: hook.url,
          ALERT_WEBHOOK_SECRET: hook.secret,
          ALERT_BATCH_SECONDS: "0.3",
        },
        // No scanner: a cycle's scans fail and wait, which this test does not need.
        ["venue", "risk", "trading", "workflow"],
      );
      await t.venue("/admin/v1/clock", { method: "PUT", body: { paused: true } });
    }, 60_000);

    afterAll(async () => {
      await t?.stop();
      hook?.stop();
    });

    test("skip_day: a past date or a holiday 422 naming the field; a trading day skipped once", async () => {
      const past = await t.api("workflow", "/api/v1/cycles/skip", { body: { date: "2026-11-20" } });
      expect(past.status).toBe(422);
      expect(past.body.error).toMatchObject({ code: "not_skippable", field: "date" });
      const holiday = await t.api("workflow", "/api/v1/cycles/skip", { body: { date: THU } });
      expect(holiday.status).toBe(422);
      expect(holiday.body.error.message).toContain("not a trading day");
      const skipped = await t.api("workflow", "/api/v1/cycles/skip", { body: { date: WED, reason: "travelling" } });
      expect(skipped.status).toBe(200);
      expect(skipped.body.decision).toMatchObject({ tradingDate: WED, decision: "skipped", reason: "travelling", cycleId: null });
      const again = await t.api("workflow", "/api/v1/cycles/skip", { body: { date: WED } });
      expect(again.body.message).toContain("already skipped (travelling)");
      expect(await decisions(WED)).toEqual([{ decision: "skipped", reason: "travelling", cycle_id: null }]);
    });

    test("catalyst cycle skip: a day skipped from the command line; a past date refused (exit 1), a malformed one a usage error (exit 2)", async () => {
      // Spawned, not spawnSync: the appliance (and the embedded database) run in this process and must keep answering.
      const cli = async (...args: string[]) => {
        const done = Bun.spawn(["bun", "src/cli.ts", "cycle", "skip", ...args], {
          cwd: join(import.meta.dir, "../.."),
          env: { PATH: process.env.PATH ?? "", HOME: t.config.dataDir, CATALYST_MODE: "sim", CATALYST_API_KEY: t.key, CATALYST_DATA_DIR: t.config.dataDir, CATALYST_PORT_BASE: String(t.config.portBase) },
          stdout: "pipe",
          stderr: "pipe",
        });
        const [code, out, err] = await Promise.all([done.exited, new Response(done.stdout).text(), new Response(done.stderr).text()]);
        return { code, out, err };
      };
      const skipped = await cli("--date", "2026-11-30", "--reason", "from the cli");
      expect(skipped).toMatchObject({ code: 0, out: "2026-11-30 is skipped: autostart will not start its cycle (a manual start still can)\n" });
      expect(await decisions("2026-11-30")).toEqual([{ decision: "skipped", reason: "from the cli", cycle_id: null }]);
      const past = await cli("--date", "2026-11-02");
      expect(past.code).toBe(1);
      expect(past.err).toContain("2026-11-02 is in the past");
      expect((await cli("--date", "30.11.2026")).code).toBe(2);
    }, 60_000);

    test("Monday: nothing before 09:15; at 09:16 the day's cycle starts itself, recorded", async () => {
      expect(await tick()).toEqual({ cycle: null, actions: [] });
      await setClock(MON, "09:16");
      const started = await tick();
      expect(started.actions[0]).toMatch(new RegExp(`^autostart: started ${MON}'s cycle [0-9a-f-]{36} \\(normal\\)$`));
      expect(started.cycle).toMatchObject({ tradingDate: MON });
      mondayCycle = started.cycle!.cycleId;
      expect(await decisions(MON)).toEqual([{ decision: "started", reason: "autostart (normal)", cycle_id: mondayCycle }]);
      // A started day cannot be skipped any more: it is stopped instead.
      const late = await t.api("workflow", "/api/v1/cycles/skip", { body: {} });
      expect(late.status).toBe(409);
      expect(late.body.error).toMatchObject({ code: "day_started", field: "date" });
      // Once a day: the next tick starts nothing more.
      expect((await tick()).actions.filter((a) => a.startsWith("autostart"))).toEqual([]);
    }, 60_000);

    test("a position left open over night whose stop and target were cancelled at the venue behind Catalyst's back", async () => {
      await setClock(MON, "10:30");
      const [{ symbol, price }] = (await liquidSymbols(t, 1)) as [{ symbol: string; price: number }];
      const placed = await t.api("trading", "/api/v1/orders", {
        body: { symbol, side: "long", type: "market", qty: 1, stopLoss: (price * 0.5).toFixed(2), takeProfit: (price * 2).toFixed(2), source: "api" },
      });
      expect(placed.status).toBe(200);
      await t.venue("/admin/v1/clock/advance", { body: { seconds: 2 } });
      const [position] = await waitFor("the position", async () => {
        const rows = await t.sql`select position_id from positions where entry_order_id = ${placed.body.order.orderId} and status = 'open'`;
        return rows.length > 0 ? rows : null;
      });
      // Both legs cancelled (a trader cleaning up at the broker): the shares are free and unprotected.
      const legIds: string[] = [];
      for (const leg of placed.body.legs as { orderId: number }[]) legIds.push((await t.api("trading", `/api/v1/orders/${leg.orderId}`)).body.order.brokerOrderId);
      for (const id of legIds) await t.venue(`/v2/orders/${id}`, { method: "DELETE" });
      await waitFor("the legs cancelled at the venue", async () => {
        for (const id of legIds) if ((await t.venue(`/v2/orders/${id}`)).status !== "canceled") return false;
        return true;
      });
      const stopBrokerId = legIds[placed.body.legs.findIndex((l: { role: string }) => l.role === "stop_loss")]!;
      leftover = { positionId: Number(position!.position_id), symbol, cancelledStop: stopBrokerId };
    }, 60_000);

    test("Tuesday: Monday's live cycle is finished first (synced, the leftover given a working stop, closed with why); then today's starts", async () => {
      await setClock(TUE, "09:16");
      const { actions, cycle } = await tick();
      expect(actions[0]).toBe(`day boundary: ${MON} ended (monitoring) when ${TUE} began: 1 position(s) left open, each with a working stop (the doctor's not_flat_at_close issue escalates them)`);
      expect(actions[1]).toMatch(new RegExp(`^autostart: started ${TUE}'s cycle`));
      expect(cycle).toMatchObject({ tradingDate: TUE });
      const monday = (await t.api("workflow", `/api/v1/cycles/${mondayCycle}`)).body;
      expect(monday).toMatchObject({ state: "closed", endReason: actions[0]!.slice("day boundary: ".length) });
      expect(Date.parse(monday.endedAt)).toBe(etInstant(TUE, "09:16"));
      // Never naked: a new stop works at the venue for exactly the leftover's shares.
      const working = (await t.venue(`/v2/orders?status=open&symbols=${leftover.symbol}`)) as { id: string; type: string; side: string; qty: string }[];
      const stops = working.filter((o) => o.type === "stop" && o.side === "sell");
      expect(stops).toHaveLength(1);
      expect(stops[0]!.id).not.toBe(leftover.cancelledStop);
      expect(Number(stops[0]!.qty)).toBe(1);
      const [row] = await t.sql`select metadata->>'protectReason' as reason from orders where broker_order_id = ${stops[0]!.id}`;
      expect(row).toEqual({ reason: `day boundary: left from ${MON}` });
    }, 60_000);

    test("Wednesday (skipped): no autostart; a manual start is not blocked by Tuesday's live cycle", async () => {
      await setClock(WED, "09:20");
      const started = await t.api("workflow", "/api/v1/cycles", { body: { mode: "conservative" } });
      expect(started.status).toBe(200);
      expect(started.body).toMatchObject({ tradingDate: WED, riskMode: "conservative", state: "created" });
      const tuesday = [...(await t.sql`select state, config->'end'->>'reason' as reason from trading_cycles where trading_date = ${TUE}`)];
      expect(tuesday).toEqual([{ state: "closed", reason: expect.stringContaining(`${TUE} ended (monitoring) when ${WED} began: 1 position(s) left open, each with a working stop`) }]);
      expect((await decisions(WED)).map((d) => d.decision)).toEqual(["skipped"]);
    }, 60_000);

    test("Thanksgiving: Wednesday's cycle is finished, nothing starts", async () => {
      await setClock(THU, "10:00");
      const { actions, cycle } = await tick();
      expect(cycle).toBeNull();
      expect(actions).toEqual([expect.stringMatching(new RegExp(`^day boundary: ${WED} ended \\(\\w+\\) when ${THU} began`))]);
      expect((await t.sql`select count(*)::int as n from trading_cycles where trading_date = ${THU}`)[0]).toEqual({ n: 0 });
    }, 60_000);

    test("Friday (early close) with the emergency stop set: blocked, recorded and alerted once; cleared, the day starts with its 13:00 plan", async () => {
      expect((await t.api("risk", "/api/v1/risk/emergency-stop", { body: { reason: "autostart test", setBy: "tester" } })).status).toBe(200);
      await setClock(FRI, "09:16");
      const blocked = await tick();
      expect(blocked).toEqual({ cycle: null, actions: [expect.stringMatching(/^autostart blocked: the emergency stop is set \(.*autostart test.*\)/)] });
      expect((await tick()).actions).toEqual([]);
      const rows = await decisions(FRI);
      expect(rows).toEqual([{ decision: "blocked", reason: blocked.actions[0]!.slice("autostart blocked: ".length), cycle_id: null }]);
      await waitFor("the autostart_blocked alert", async () => hook.eventsOf("other").some((e) => e.key.startsWith("other:autostart_blocked:")));

      expect((await t.api("risk", "/api/v1/risk/emergency-stop?clearedBy=tester", { method: "DELETE" })).status).toBe(200);
      const started = await tick();
      expect(started.actions[0]).toMatch(new RegExp(`^autostart: started ${FRI}'s cycle`));
      const friday = (await t.api("workflow", "/api/v1/cycles/current")).body;
      expect(friday.plan).toMatchObject({ earlyClose: true, flattenAt: "2026-11-27T12:45:00-05:00", close: "2026-11-27T13:00:00-05:00" });
      expect(hook.eventsOf("other").filter((e) => e.key.startsWith("other:autostart_blocked:"))).toHaveLength(1);
    }, 60_000);

    test("the broker down across the next open: nothing starts or is recorded while its clock cannot be read; back at 10:05, Friday is finished and the day starts once, late", async () => {
      // Monday 2026-11-30 was skipped from the command line above: the outage hits Tuesday's open.
      await setClock(NEXT_TUE, "09:10");
      expect(await t.venue("/admin/v1/faults", { method: "PUT", body: { errorRate: 1, errorStatus: 503 } })).toMatchObject({ errorRate: 1, errorStatus: 503 });
      try {
        // At the autostart time and after the open (each tick's clock read is retried before it gives up).
        for (const time of ["09:16", "09:50"]) {
          await setClock(NEXT_TUE, time);
          const waiting = await tick();
          expect(waiting.actions).toEqual([expect.stringMatching(/^wait: the market clock is unavailable \(.*\); retrying next tick$/)]);
        }
        expect(await decisions(NEXT_TUE)).toEqual([]);
        expect((await t.sql`select count(*)::int as n from trading_cycles where trading_date = ${NEXT_TUE}`)[0]).toEqual({ n: 0 });
        // Friday's cycle is still the live one: it cannot be finished without the broker either.
        expect((await t.sql`select state from trading_cycles where trading_date = ${FRI}`)[0]!.state).not.toBe("closed");
      } finally {
        expect(await t.venue("/admin/v1/faults", { method: "DELETE" })).toMatchObject({ errorRate: 0 });
      }
      await setClock(NEXT_TUE, "10:05");
      const { actions, cycle } = await tick();
      expect(actions[0]).toMatch(new RegExp(`^day boundary: ${FRI} ended \\(\\w+\\) when ${NEXT_TUE} began`));
      expect(actions[1]).toMatch(new RegExp(`^autostart: started ${NEXT_TUE}'s cycle [0-9a-f-]{36} \\(normal\\)$`));
      expect(cycle).toMatchObject({ tradingDate: NEXT_TUE });
      expect((await t.sql`select state from trading_cycles where trading_date = ${FRI}`)[0]).toEqual({ state: "closed" });
      expect(await decisions(NEXT_TUE)).toEqual([{ decision: "started", reason: "autostart (normal)", cycle_id: cycle!.cycleId }]);
      // Once: the next tick starts nothing more.
      expect((await tick()).actions.filter((a) => a.startsWith("autostart"))).toEqual([]);
    }, 60_000);
  });
}
