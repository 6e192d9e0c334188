/** The alerts' decisions: which bus message is an alert of which priority, dedupe, batching, rate, text and signature. */
import { describe, expect, test } from "bun:test";
import type { BusMessage } from "../../src/contracts/bus.ts";
import { AlertDesk } from "../../src/domain/alerts/desk.ts";
import { alertFromMessage, testAlerts, type AlertEvent } from "../../src/domain/alerts/events.ts";
import { alertText, summaryText, webhookBody } from "../../src/domain/alerts/message.ts";
import { signWebhook, verifyWebhook } from "../../src/domain/alerts/signature.ts";
import { summaryPlan } from "../../src/domain/alerts/summary-due.ts";
import { etInstant } from "../../src/domain/exchange-calendar.ts";

const AT = "2026-03-10T15:00:00.000Z";
const message = (channel: BusMessage["channel"], payload: Record<string, unknown>): BusMessage => ({ version: 1, channel, publishedAt: AT, source: "risk", payload });
const risk = (payload: Record<string, unknown>) => alertFromMessage(message("risk_alert", payload));

describe("alertFromMessage", () => {
  test("each risk_alert kind gets its priority and a key naming what it is about", () => {
    expect(risk({ kind: "daily_loss_halt", tradingDate: "2026-03-10", message: "halt" })).toMatchObject({ priority: "critical", key: "daily_loss_halt:2026-03-10", text: "halt" });
    expect(risk({ kind: "daily_loss_warning", tradingDate: "2026-03-10", message: "w" })).toMatchObject({ priority: "warning", key: "daily_loss_warning:2026-03-10" });
    expect(risk({ kind: "kill_switch", message: "stop" })).toMatchObject({ priority: "critical", key: `kill_switch:${AT}` });
    expect(risk({ kind: "kill_switch_cleared", message: "ok" })).toMatchObject({ priority: "warning" });
    expect(risk({ kind: "doctor_issue_opened", issueKey: "phantom_position:7", message: "m" })).toMatchObject({ priority: "critical", key: "doctor_issue_opened:phantom_position:7", emailedElsewhere: true });
    expect(risk({ kind: "doctor_issue_resolved", issueKey: "phantom_position:7" })).toMatchObject({ priority: "warning", emailedElsewhere: false });
    expect(risk({ kind: "dead_man", message: "silent" })).toMatchObject({ priority: "critical", key: "dead_man:doctor", emailedElsewhere: true });
    expect(risk({ kind: "broker_rejected", orderId: 12, message: "no" })).toMatchObject({ priority: "warning", key: "broker_rejected:12" });
    expect(risk({ kind: "flatten_problem", message: "position 3: timeout" })).toMatchObject({ priority: "critical", key: "flatten_problem:position 3: timeout" });
  });
  test("a risk_alert of a kind not known here is told at the level it states; without a level it is none", () => {
    expect(risk({ kind: "doctor_silent", level: "critical", message: "no sweep for 12 minutes" })).toMatchObject({
      kind: "other",
      priority: "critical",
      key: "other:doctor_silent:no sweep for 12 minutes",
      title: "doctor silent",
    });
    expect(risk({ kind: "something_new" })).toBeNull();
    expect(risk({ kind: "something_new", level: "loud" })).toBeNull();
  });
  test("other channels are no alert", () => {
    expect(alertFromMessage(message("scan_complete", { scanId: "s" }))).toBeNull();
    expect(alertFromMessage(message("position_update", { positionId: 1, change: "marked" }))).toBeNull();
  });
  test("a stop-loss fill is a stop that fired; a target fill closing a position goes to the summary; an entry fill is nothing", () => {
    const fill = (role: string, status = "filled") => alertFromMessage(message("order_filled", { orderId: 5, role, status, qty: "10", price: "99.50", positionId: 3 }));
    expect(fill("stop_loss")).toMatchObject({ kind: "stop_fired", priority: "warning", key: "stop_fired:5", text: "stop-loss order 5: 10 @ 99.50 (position 3)" });
    expect(fill("take_profit")).toMatchObject({ kind: "position_closed", priority: "info" });
    expect(fill("take_profit", "partial_fill")).toBeNull();
    expect(fill("entry")).toBeNull();
  });
});

const event = (key: string, priority: AlertEvent["priority"]): AlertEvent => ({ kind: "test", priority, key, title: key, text: key, at: AT, emailedElsewhere: false });
const POLICY = { dedupeMs: 10_000, batchMs: 1_000, maxPerMinute: 3 };

describe("AlertDesk", () => {
  test("critical goes at once, warnings wait for the batch window and go as one, info waits for the summary", () => {
    const desk = new AlertDesk(POLICY);
    expect(desk.offer(event("c", "critical"), 0)).toEqual({ action: "send", outgoing: { priority: "critical", events: [event("c", "critical")] } });
    expect(desk.offer(event("w1", "warning"), 100).action).toBe("batched");
    expect(desk.offer(event("w2", "warning"), 600).action).toBe("batched");
    expect(desk.offer(event("i", "info"), 700).action).toBe("digest");
    expect(desk.nextDueAt(700)).toBe(1_100);
    expect(desk.due(1_099)).toBeNull();
    expect(desk.due(1_100)).toEqual({ priority: "warning", events: [event("w1", "warning"), event("w2", "warning")] });
    expect(desk.due(5_000)).toBeNull();
    expect(desk.takeDigest()).toEqual([event("i", "info")]);
    expect(desk.takeDigest()).toEqual([]);
  });
  test("the same key inside the dedupe window is a duplicate; after it, a new alert", () => {
    const desk = new AlertDesk(POLICY);
    expect(desk.offer(event("k", "critical"), 0).action).toBe("send");
    expect(desk.offer(event("k", "critical"), 9_999).action).toBe("duplicate");
    expect(desk.offer(event("k", "critical"), 10_001).action).toBe("send");
  });
  test("over the rate, a critical alert waits in the batch (never dropped) until the minute allows", () => {
    const desk = new AlertDesk(POLICY);
    for (const key of ["a", "b", "c"]) expect(desk.offer(event(key, "critical"), 0).action).toBe("send");
    expect(desk.offer(event("d", "critical"), 10).action).toBe("batched");
    expect(desk.due(1_500)).toBeNull();
    expect(desk.nextDueAt(1_500)).toBe(60_000);
    expect(desk.due(60_000)).toEqual({ priority: "critical", events: [event("d", "critical")] });
  });
});

describe("alert text", () => {
  test("one alert: its title in the subject, its text in the body", () => {
    const text = alertText({ priority: "critical", events: [event("Emergency stop set", "critical")] });
    expect(text.subject).toBe("[catalyst] CRITICAL Emergency stop set");
    expect(text.text).toContain("Emergency stop set");
  });
  test("a batch lists every alert", () => {
    const text = alertText({ priority: "warning", events: [event("one", "warning"), event("two", "warning")] });
    expect(text.subject).toBe("[catalyst] WARNING 2 alerts");
    expect(text.text.split("\n")).toEqual([`- [WARNING] one: one (${AT})`, `- [WARNING] two: two (${AT})`]);
  });
  test("the summary names P&L, trades, open issues, the day's notes and what it could not read", () => {
    const text = summaryText({
      date: "2026-03-10",
      realizedPnl: "-12.50",
      unrealizedPnl: "0.00",
      trades: 3,
      wins: 1,
      losses: 2,
      openIssues: { critical: 1, warning: 0 },
      notes: [event("Position closed", "info")],
      missing: ["open issues (trading: down)"],
    });
    expect(text.subject).toBe("[catalyst] Day summary 2026-03-10: P&L -12.50, 3 trade(s)");
    expect(text.text).toContain("Trades: 3 (1 won, 2 lost).");
    expect(text.text).toContain("Open doctor issues: 1 critical, 0 warning.");
    expect(text.text).toContain("- Position closed: Position closed");
    expect(text.text).toContain("Not available for this summary: open issues (trading: down).");
  });
  test("the webhook body carries Slack's text, Discord's content (at most 2,000 characters) and title/message for ntfy's templates", () => {
    const body = JSON.parse(webhookBody("critical", { subject: "S", text: "T" }, [event("k", "critical")]));
    expect(body).toMatchObject({ version: 1, priority: "critical", title: "S", message: "T", text: "S\nT", content: "S\nT" });
    expect(body.events).toEqual([{ kind: "test", priority: "critical", key: "k", title: "k", text: "k", at: AT }]);
    const long = JSON.parse(webhookBody("warning", { subject: "S", text: "x".repeat(5_000) }, []));
    expect(long.content).toHaveLength(2_000);
    expect(long.message).toHaveLength(5_000);
  });
  test("testAlerts: one of each priority", () => {
    expect(testAlerts(AT).map((e) => e.priority)).toEqual(["critical", "warning", "info"]);
  });
});

describe("webhook signature", () => {
  const secret = "0123456789abcdef0123";
  test("HMAC-SHA256 of '<timestamp>.<body>', verified; a changed body, timestamp or secret fails", () => {
    const signature = signWebhook(secret, 1_700_000_000, '{"a":1}');
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(signature).toBe(`sha256=${new Bun.CryptoHasher("sha256", secret).update('1700000000.{"a":1}').digest("hex")}`);
    const headers = { signature, timestamp: "1700000000" };
    expect(verifyWebhook(secret, headers, '{"a":1}', 1_700_000_010)).toBe(true);
    expect(verifyWebhook(secret, headers, '{"a":2}', 1_700_000_010)).toBe(false);
    expect(verifyWebhook(secret, { ...headers, timestamp: "1700000001" }, '{"a":1}', 1_700_000_010)).toBe(false);
    expect(verifyWebhook("another-secret-0123", headers, '{"a":1}', 1_700_000_010)).toBe(false);
  });
  test("a delivery older than the tolerance is refused (replay)", () => {
    const headers = { signature: signWebhook(secret, 1_700_000_000, "{}"), timestamp: "1700000000" };
    expect(verifyWebhook(secret, headers, "{}", 1_700_000_301)).toBe(false);
    expect(verifyWebhook(secret, { signature: null, timestamp: null }, "{}", 1_700_000_000)).toBe(false);
  });
});

describe("summaryPlan", () => {
  const at = (date: string, hhmm: string) => etInstant(date, hhmm);
  test("a trading day is owed from the first look, and due from 15 minutes after its close", () => {
    expect(summaryPlan(at("2026-03-10", "09:00"), [])).toEqual({ owe: "2026-03-10", send: [] });
    expect(summaryPlan(at("2026-03-10", "16:14"), [{ date: "2026-03-10", sent: false }])).toEqual({ owe: null, send: [] });
    expect(summaryPlan(at("2026-03-10", "16:15"), [{ date: "2026-03-10", sent: false }])).toEqual({ owe: null, send: ["2026-03-10"] });
  });
  test("first seen after its summary time (a fresh start in the evening): owed and sent at once", () => {
    expect(summaryPlan(at("2026-03-10", "19:00"), [])).toEqual({ owe: "2026-03-10", send: ["2026-03-10"] });
  });
  test("sent once: a later look (after a restart too) sends nothing", () => {
    expect(summaryPlan(at("2026-03-10", "19:00"), [{ date: "2026-03-10", sent: true }])).toEqual({ owe: null, send: [] });
  });
  test("the clock jumped past midnight before the summary time: the day before still goes, today is owed", () => {
    expect(summaryPlan(at("2026-03-11", "08:55"), [{ date: "2026-03-10", sent: false }])).toEqual({ owe: "2026-03-11", send: ["2026-03-10"] });
    // Down over a weekend and a holiday: every owed day goes, oldest first.
    expect(summaryPlan(at("2026-11-30", "09:00"), [{ date: "2026-11-27", sent: false }, { date: "2026-11-25", sent: false }])).toEqual({
      owe: "2026-11-30",
      send: ["2026-11-25", "2026-11-27"],
    });
  });
  test("a day never seen is not owed (a fresh install the morning after); a clock set back does not send a later day early", () => {
    expect(summaryPlan(at("2026-03-11", "09:00"), [])).toEqual({ owe: "2026-03-11", send: [] });
    expect(summaryPlan(at("2026-03-10", "12:00"), [{ date: "2026-03-11", sent: false }])).toEqual({ owe: "2026-03-10", send: [] });
  });
  test("an early close moves it; a weekend or holiday is never owed", () => {
    expect(summaryPlan(at("2026-11-27", "13:14"), [{ date: "2026-11-27", sent: false }]).send).toEqual([]);
    expect(summaryPlan(at("2026-11-27", "13:15"), [{ date: "2026-11-27", sent: false }]).send).toEqual(["2026-11-27"]);
    expect(summaryPlan(at("2026-03-14", "17:00"), [])).toEqual({ owe: null, send: [] });
    expect(summaryPlan(at("2026-11-26", "17:00"), [])).toEqual({ owe: null, send: [] });
  });
});
