/**
 * The alerts notifier inside a running appliance, on both backends: real events (an emergency stop
 * set and cleared through the risk API, a real daily loss at the venue crossing the warning level
 * and the limit, an order the venue rejects, a stop that fires, a position vanishing at the venue and
 * coming back, a flatten that cannot close an external position) each reach a real SMTP server and a
 * loopback webhook exactly once, the webhook's signature verified. A webhook that refuses is
 * retried. After the close, the day's summary goes once: not again after a restart, and still once
 * for a day whose evening the market's clock jumped past; two senders cannot both claim it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { compareDecimal, divideDecimal, multiplyDecimal } from "../../src/domain/money.ts";
import { claimSummary, markSummarySent, oweSummary } from "../../src/services/alerts/summary-store.ts";
import { liquidSymbols, startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { liftFixRateLimits, vanishAtVenue } from "../support/doctor-drift.ts";
import { BACKENDS, waitFor } from "../support/env.ts";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";
import { startWebhookSink, type WebhookSink } from "../support/webhook-sink.ts";

for (const backend of BACKENDS) {
  /**
   * The day's summary runs on its own appliance (the venue from 16:20, after the close). It is started
   * as soon as the alerts' appliance serves, so its start-up overlaps the alerts cases (they mostly
   * wait on the bus, the venue and the sinks) instead of adding to the file's time.
   */
  let summarySetup: Promise<{ t: Awaited<ReturnType<typeof startTestAppliance>>; smtp: SmtpSink; hook: WebhookSink }> | null = null;
  const startSummarySetup = async () => {
    const smtp = await startSmtpSink();
    const hook = startWebhookSink();
    // Twenty minutes after the close: the summary is due at the notifier's first look at the clock.
    const t = await startTestAppliance(
      backend,
      {
        VENUE_START: "2026-03-10T16:20",
        SMTP_URL: smtp.url,
        ALERT_EMAIL_TO: "trader@example.com",
        ALERT_WEBHOOK_URL: hook.url,
        ALERT_WEBHOOK_SECRET: hook.secret,
        DOCTOR_TICK_SECONDS: "1",
      },
      ["venue", "risk", "trading", "reporting"],
    );
    return { t, smtp, hook };
  };
  const stopSummarySetup = async () => {
    const setup = summarySetup;
    summarySetup = null;
    const started = await setup?.catch(() => null);
    await started?.t.stop();
    started?.hook.stop();
    await started?.smtp.stop();
  };
  // Also when a filter left the summary's cases out: nothing started stays running.
  afterAll(stopSummarySetup);

  describe(`alerts on ${backend.name}`, () => {
    let t: TestAppliance;
    let smtp: SmtpSink;
    let hook: WebhookSink;
    let symbol = "";
    let price = 0;
    let other: { symbol: string; price: number };

    beforeAll(async () => {
      smtp = await startSmtpSink();
      hook = startWebhookSink();
      t = await startTestAppliance(
        backend,
        {
          VENUE_START: "2026-03-10T10:30",
          RISK_MONITOR_SECONDS: "0.2",
          BROKER_REQUESTS_PER_MINUTE: "1000000",
          SMTP_URL: smtp.url,
          ALERT_EMAIL_TO: "trader@example.com",
          ALERT_WEBHOOK_URL: hook.url,
          ALERT_WEBHOOK_SECRET: hook.secret,
          ALERT_BATCH_SECONDS: "0.3",
          // Retried after 0.1 s, then 0.4 s: the refusals below are retried as in production, without 5 s of back-off.
          ALERT_RETRY_SECONDS: "0.1",
          // No scheduled sweep: the test's own (through trading's route) must not race one.
          DOCTOR_TICK_SECONDS: "86400",
        },
        ["venue", "risk", "trading"],
      );
      await t.venue("/admin/v1/clock", { method: "PUT", body: { paused: true } });
      const liquid = await liquidSymbols(t, 2);
      ({ symbol, price } = liquid[0]!);
      other = liquid[1]!;
      await liftFixRateLimits(t);
      summarySetup = startSummarySetup();
      summarySetup.catch(() => undefined); // awaited (and thrown) by the summary's beforeAll
    }, 60_000);

    afterAll(async () => {
      await t?.stop();
      hook?.stop();
      await smtp?.stop();
    });

    const mails = (subject: string) => smtp.messages.filter((m) => m.subject?.includes(subject));
    /** Waits until `kind` reached the webhook and `subject` the SMTP server, then both exactly once. */
    async function toldOnce(kind: string, subject: string) {
      await waitFor(`${kind} at the webhook and by e-mail`, async () => hook.eventsOf(kind).length > 0 && mails(subject).length > 0);
      return { events: hook.eventsOf(kind), mails: mails(subject) };
    }

    test("an emergency stop set and cleared: told once each, by e-mail and by a signed webhook", async () => {
      const set = await t.api("risk", "/api/v1/risk/emergency-stop", { body: { reason: "alerts test", setBy: "tester" } });
      expect(set.status).toBe(200);
      const stop = await toldOnce("kill_switch", "CRITICAL Emergency stop set");
      expect(stop.mails[0]!.text).toContain("emergency stop by tester: alerts test");
      expect(stop.mails[0]!.to).toMatchObject({ text: "trader@example.com" });

      const cleared = await t.api("risk", "/api/v1/risk/emergency-stop?clearedBy=tester", { method: "DELETE" });
      expect(cleared.status).toBe(200);
      // Warnings go in a batch: the subject names the one alert it holds.
      await toldOnce("kill_switch_cleared", "Emergency stop cleared");
      // By now a duplicate of the first (Redis and the in-process relay both hearing it) would have come too.
      expect(hook.eventsOf("kill_switch")).toHaveLength(1);
      expect(hook.eventsOf("kill_switch_cleared")).toHaveLength(1);
      expect(mails("Emergency stop set")).toHaveLength(1);
      expect(mails("Emergency stop cleared")).toHaveLength(1);
      expect(hook.deliveries.every((d) => d.verified)).toBe(true);
      expect(hook.deliveries.find((d) => d.body.events.some((e) => e.kind === "kill_switch"))!.body).toMatchObject({ priority: "critical", title: "[catalyst] CRITICAL Emergency stop set" });
    });

    const entry = () => ({ symbol, side: "long", type: "market", qty: Math.floor(5000 / price), stopLoss: (price * 0.97).toFixed(2), takeProfit: (price * 1.08).toFixed(2), source: "api" });

    test("an order the venue rejects: one broker_rejected alert; the webhook refusing twice is retried", async () => {
      await t.venue("/admin/v1/faults", { method: "PUT", body: { rejectRate: 1 } });
      hook.failNext(2);
      const placed = await t.api("trading", "/api/v1/orders", { body: entry() });
      await t.venue("/admin/v1/faults", { method: "DELETE" });
      // The venue accepts, then rejects: the rejection arrives on the trade stream.
      expect(placed.status).toBe(200);
      const orderId = placed.body.order.orderId;
      await waitFor("the rejection at the webhook", async () => hook.eventsOf("broker_rejected").some((e) => e.key === `broker_rejected:${orderId}`), 30_000);
      expect(hook.refused).toBe(2);
      expect(hook.eventsOf("broker_rejected").filter((e) => e.key === `broker_rejected:${orderId}`)).toHaveLength(1);
      await waitFor("the rejection by e-mail", async () => mails(`WARNING Broker rejected order ${orderId}`).length > 0);
      expect(mails(`Broker rejected order ${orderId}`)).toHaveLength(1);
    }, 60_000);

    test("a stop that fired: one stop_fired alert naming the stop order", async () => {
      const placed = await t.api("trading", "/api/v1/orders", {
        body: { symbol, side: "long", type: "market", qty: 1, stopLoss: (price * 0.995).toFixed(2), takeProfit: (price * 1.5).toFixed(2), source: "api" },
      });
      expect(placed.status).toBe(200);
      const stopLeg = placed.body.legs.find((l: { role: string }) => l.role === "stop_loss");
      // The market walks on, a minute at a time, until the stop half a percent under the entry is hit.
      await waitFor("the stop to fire", async () => {
        await t.venue("/admin/v1/clock/advance", { body: { seconds: 60 } });
        return (await t.api("trading", `/api/v1/orders/${stopLeg.orderId}`)).body.order.status === "filled";
      }, 45_000, 50);
      await toldOnce("stop_fired", "Stop fired");
      expect(hook.eventsOf("stop_fired").filter((e) => e.key === `stop_fired:${stopLeg.orderId}`)).toHaveLength(1);
      expect(mails("Stop fired")).toHaveLength(1);
    }, 60_000);

    test("a critical doctor issue: opened told by webhook (the doctor e-mails it itself), resolved told by both", async () => {
      const placed = await t.api("trading", "/api/v1/orders", {
        body: { symbol: other.symbol, side: "long", type: "market", qty: 1, stopLoss: (other.price * 0.9).toFixed(2), takeProfit: (other.price * 1.25).toFixed(2), source: "api" },
      });
      expect(placed.status).toBe(200);
      await t.venue("/admin/v1/clock/advance", { body: { seconds: 2 } });
      const positionId = (await waitFor("the position", async () => (await t.sql`select position_id from positions where entry_order_id = ${placed.body.order.orderId} and status = 'open'`)[0])).position_id;
      const issueKey = `phantom_position:position:${positionId}`;
      const doctorSweep = async () => {
        expect((await t.api("trading", "/api/v1/sync", { method: "POST" })).status).toBe(200);
        expect((await t.api("trading", "/api/v1/doctor/sweeps", { body: { fix: true } })).status).toBe(200);
      };

      await vanishAtVenue(t, other.symbol);
      await doctorSweep();
      await waitFor("the opened issue at the webhook", async () => hook.eventsOf("doctor_issue_opened").some((e) => e.key === `doctor_issue_opened:${issueKey}`));
      await waitFor("the doctor's own escalation e-mail", async () => mails(`phantom_position: position:${positionId}`).length > 0);

      // The shares come back (bought outside Catalyst): the books agree, the next sweep resolves it.
      const bought = await t.venue("/admin/v1/orders", { body: { symbol: other.symbol, qty: "1", side: "buy", type: "market", time_in_force: "day" } });
      await t.venue("/admin/v1/clock/advance", { body: { seconds: 2 } });
      await waitFor("the outside buy filled", async () => (await t.venue(`/v2/orders/${bought.id}`)).status === "filled");
      await doctorSweep();
      await toldOnce("doctor_issue_resolved", `Doctor: issue ${issueKey} resolved`);
      expect(hook.eventsOf("doctor_issue_opened").filter((e) => e.key === `doctor_issue_opened:${issueKey}`)).toHaveLength(1);
      expect(hook.eventsOf("doctor_issue_resolved").filter((e) => e.key === `doctor_issue_resolved:${issueKey}`)).toHaveLength(1);
      expect(mails(`phantom_position: position:${positionId}`)).toHaveLength(1);
      expect(mails("Doctor: critical issue")).toHaveLength(0);
    }, 60_000);

    test("a real daily loss: the warning and the halt are told once each", async () => {
      let loss = "0";
      for (let trip = 0; trip < 8 && compareDecimal(loss, "0") <= 0; trip++) {
        expect((await t.api("trading", "/api/v1/orders", { body: entry() })).status).toBe(200);
        await t.venue("/admin/v1/clock/advance", { body: { seconds: 2 } });
        const position = await waitFor("the entry's position", async () => (await t.api("trading", "/api/v1/positions?status=open")).body.positions.find((p: { symbol: string }) => p.symbol === symbol));
        expect((await t.api("trading", `/api/v1/positions/${position.positionId}/close`, { body: { reason: "alerts test" } })).status).toBe(200);
        await t.venue("/admin/v1/clock/advance", { body: { seconds: 2 } });
        await waitFor("the position closed", async () => !(await t.api("trading", "/api/v1/positions?status=open")).body.positions.some((p: { symbol: string }) => p.symbol === symbol));
        loss = multiplyDecimal((await t.api("risk", "/api/v1/risk/status")).body.dailyPnl.accountChange, "-1");
      }
      expect(compareDecimal(loss, "0")).toBeGreaterThan(0);
      const setLimit = async (value: string) =>
        expect((await t.api("risk", "/api/v1/risk/parameters", { method: "PUT", body: { changes: { maxDailyLoss: value }, reason: "alerts test" } })).status).toBe(200);

      await setLimit(divideDecimal(multiplyDecimal(loss, "100"), "80", 2, "floor"));
      await toldOnce("daily_loss_warning", "Daily loss warning");
      await setLimit(divideDecimal(multiplyDecimal(loss, "90"), "100", 2, "floor"));
      const halt = await toldOnce("daily_loss_halt", "CRITICAL Daily loss limit reached");
      expect(halt.mails[0]!.text).toContain("daily loss limit reached");
      expect(hook.eventsOf("daily_loss_warning")).toHaveLength(1);
      expect(hook.eventsOf("daily_loss_halt")).toHaveLength(1);
      expect(mails("Daily loss limit reached")).toHaveLength(1);
      expect(hook.deliveries.every((d) => d.verified)).toBe(true);
    }, 60_000);

    test("a flatten that cannot close a position (external, not Catalyst's): one flatten_problem alert", async () => {
      // Shares bought outside Catalyst, adopted by the doctor as an external position.
      const [, , third] = await liquidSymbols(t, 3);
      const bought = await t.venue("/admin/v1/orders", { body: { symbol: third!.symbol, qty: "2", side: "buy", type: "market", time_in_force: "day" } });
      await t.venue("/admin/v1/clock/advance", { body: { seconds: 2 } });
      await waitFor("the outside buy filled", async () => (await t.venue(`/v2/orders/${bought.id}`)).status === "filled");
      expect((await t.api("trading", "/api/v1/doctor/sweeps", { body: { fix: true } })).status).toBe(200);
      const flattened = await t.api("trading", "/api/v1/flatten", { body: { reason: "alerts test" } });
      expect(flattened.status).toBe(200);
      const problem = `${third!.symbol} is an external position (not opened by Catalyst); close it yourself at the broker`;
      expect(flattened.body.problems).toContain(problem);
      await toldOnce("flatten_problem", "CRITICAL Flatten problem");
      expect(hook.eventsOf("flatten_problem").filter((e) => e.key === `flatten_problem:${problem}`)).toHaveLength(1);
      expect(mails("Flatten problem").filter((m) => m.text?.includes(problem))).toHaveLength(1);
    }, 60_000);
  });

  describe(`the day's summary on ${backend.name}`, () => {
    let t: Awaited<ReturnType<typeof startTestAppliance>>;
    let smtp: SmtpSink;
    let hook: WebhookSink;

    beforeAll(async () => {
      summarySetup ??= startSummarySetup();
      ({ t, smtp, hook } = await summarySetup);
    }, 60_000);

    afterAll(stopSummarySetup);

    test("after the close: one summary with P&L, trades and open issues, by e-mail and webhook", async () => {
      const subject = "[catalyst] Day summary 2026-03-10: P&L ";
      await waitFor("the summary", async () => hook.deliveries.some((d) => d.body.title.startsWith(subject)) && smtp.messages.some((m) => m.subject?.startsWith(subject)));
      const mail = smtp.messages.find((m) => m.subject?.startsWith(subject))!;
      expect(mail.text).toContain("Trading day 2026-03-10.");
      expect(mail.text).toContain("Trades: 0 (0 won, 0 lost).");
      expect(mail.text).toContain("Open doctor issues: 0 critical, 0 warning.");
      expect(mail.text).not.toContain("Not available");
      // The notifier looks at the market clock (signed catalyst-alerts) three more times: still one summary.
      const clockReads = async () => (await t.venue("/admin/v1/audit?path_prefix=/v2/clock&caller=catalyst-alerts")).entries.length as number;
      const seen = await clockReads();
      await waitFor("three more looks at the clock", async () => (await clockReads()) >= seen + 3);
      expect(hook.deliveries.filter((d) => d.body.title.startsWith(subject))).toHaveLength(1);
      expect(hook.deliveries.find((d) => d.body.title.startsWith(subject))).toMatchObject({ verified: true, body: { priority: "info" } });
      expect(smtp.messages.filter((m) => m.subject?.startsWith(subject))).toHaveLength(1);
    });

    const summariesOf = (date: string) => ({
      hook: hook.deliveries.filter((d) => d.body.title.startsWith(`[catalyst] Day summary ${date}:`)).length,
      mail: smtp.messages.filter((m) => m.subject?.startsWith(`[catalyst] Day summary ${date}:`)).length,
    });
    /** Waits until the notifier read the market clock `n` more times (each read is a look at whether a summary is due). */
    async function looksAtTheClock(n: number) {
      const clockReads = async () => (await t.venue("/admin/v1/audit?path_prefix=/v2/clock&caller=catalyst-alerts")).entries.length as number;
      const seen = await clockReads();
      await waitFor(`${n} more looks at the clock`, async () => (await clockReads()) >= seen + n);
    }

    test("a restart after the summary went: no second summary of that day", async () => {
      expect(summariesOf("2026-03-10")).toEqual({ hook: 1, mail: 1 });
      await t.restart();
      // The venue restarted with the appliance: its clock is back at 16:20, past the summary time.
      await looksAtTheClock(3);
      expect(summariesOf("2026-03-10")).toEqual({ hook: 1, mail: 1 });
    }, 60_000);

    test("the clock moved past midnight before the evening's summary time: that day's summary still goes, once", async () => {
      await t.venue("/admin/v1/clock", { method: "PUT", body: { time: new Date(etInstant("2026-03-11", "15:50")).toISOString(), paused: true } });
      await looksAtTheClock(2);
      await t.venue("/admin/v1/clock", { method: "PUT", body: { time: new Date(etInstant("2026-03-12", "08:55")).toISOString(), paused: true } });
      await waitFor("the summary of 2026-03-11", async () => summariesOf("2026-03-11").hook > 0 && summariesOf("2026-03-11").mail > 0);
      const mail = smtp.messages.find((m) => m.subject?.startsWith("[catalyst] Day summary 2026-03-11:"))!;
      expect(mail.text).toContain("Trading day 2026-03-11.");
      expect(mail.text).not.toContain("Not available");
      await looksAtTheClock(3);
      expect([summariesOf("2026-03-10"), summariesOf("2026-03-11"), summariesOf("2026-03-12")]).toEqual([
        { hook: 1, mail: 1 },
        { hook: 1, mail: 1 },
        { hook: 0, mail: 0 },
      ]);
    }, 60_000);

    test("a claim is won once by senders at the same instant, taken over only when its lease ran out, never once sent", async () => {
      // A day the market's clock here never reaches: the notifier itself leaves it alone.
      const date = "2030-01-02";
      await oweSummary(t.sql, date, etInstant(date, "09:00"));
      const claims = await Promise.all(Array.from({ length: 8 }, () => claimSummary(t.sql, date)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await claimSummary(t.sql, date)).toBe(false);
      // A lease of 0 s stands for a sender that died mid-send long ago: its claim is taken over.
      expect(await claimSummary(t.sql, date, 0)).toBe(true);
      await markSummarySent(t.sql, date, etInstant(date, "16:15"));
      expect(await claimSummary(t.sql, date, 0)).toBe(false);
    });
  });
}
