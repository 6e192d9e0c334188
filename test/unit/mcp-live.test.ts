/**
 * The live MCP feed on the in-process bus, with the SDK's client over its in-memory transport:
 * updates only for what a session subscribed to, nothing after unsubscribing, log notices at the
 * MCP level each event deserves and filtered by the level the client set.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema, type LoggingMessageNotification } from "@modelcontextprotocol/sdk/types.js";
import { InProcessBusHub, type InProcessBus } from "../../src/adapters/bus/in-process.ts";
import { envelope } from "../../src/adapters/bus/bus.ts";
import { loadConfig } from "../../src/config.ts";
import { ServiceClient } from "../../src/runtime/client.ts";
import { createLogger } from "../../src/runtime/log.ts";
import { createMcpDeps } from "../../src/services/orchestration/mcp/deps.ts";
import { createLiveFeed, type LiveFeed } from "../../src/services/orchestration/mcp/live.ts";
import { logNoticeFor, urisUpdatedBy } from "../../src/services/orchestration/mcp/live-events.ts";
import { createMcpServer } from "../../src/services/orchestration/mcp/server.ts";

describe("what a bus message means to MCP", () => {
  const message = (channel: Parameters<typeof envelope>[0], payload: unknown) => envelope(channel, "test", payload);

  test("risk alerts keep their level; the emergency stop is an alert; an unknown level is never quieter than a warning", () => {
    const level = (payload: Record<string, unknown>) => logNoticeFor(message("risk_alert", payload))?.level;
    expect(level({ level: "warning", kind: "daily_loss_warning" })).toBe("warning");
    expect(level({ level: "critical", kind: "daily_loss_halt" })).toBe("critical");
    expect(level({ level: "critical", kind: "kill_switch" })).toBe("alert");
    expect(level({ level: "info", kind: "kill_switch_cleared" })).toBe("info");
    expect(level({ level: "shouting", kind: "something_new" })).toBe("warning");
  });

  test("a fill is an info notice carrying the fill; position updates and scans are resource updates only", () => {
    const fill = logNoticeFor(message("order_filled", { orderId: "o-1", status: "filled", qty: "10", price: "101.50" }));
    expect(fill).toMatchObject({ level: "info", logger: "catalyst.trading", data: { event: "fill", orderId: "o-1", qty: "10", price: "101.50" } });
    expect(logNoticeFor(message("position_update", { positionId: "p" }))).toBeNull();
    expect(logNoticeFor(message("scan_complete", {}))).toBeNull();
    expect(urisUpdatedBy(message("order_filled", {}))).toEqual(["positions://current", "risk://status"]);
    expect(urisUpdatedBy(message("scan_complete", {}))).toEqual(["trading-cycle://current"]);
    expect(urisUpdatedBy(message("news_catalyst", {}))).toEqual([]);
    expect(urisUpdatedBy(message("cycle_update", {}))).toEqual(["trading-cycle://current"]);
    expect(urisUpdatedBy(message("doctor_issues", {}))).toEqual(["doctor://issues"]);
  });

  test("a cycle's change of state is a notice (a halt a warning, an error an error); progress within a state says nothing", () => {
    const notice = (payload: Record<string, unknown>) => logNoticeFor(message("cycle_update", { cycleId: "c-1", ...payload }));
    expect(notice({ state: "resting", previousState: null })).toMatchObject({ level: "notice", data: { message: "trading cycle c-1 is resting" } });
    expect(notice({ state: "closed", previousState: "resting" })).toMatchObject({ level: "notice", data: { message: "trading cycle c-1 resting → closed" } });
    expect(notice({ state: "halted", previousState: "resting", haltReason: "emergency stop" })).toMatchObject({
      level: "warning",
      data: { message: "trading cycle c-1 resting → halted: emergency stop" },
    });
    expect(notice({ state: "error", previousState: "trading" })?.level).toBe("error");
    expect(notice({ state: "resting", previousState: "resting", scans: 3 })).toBeNull();
  });

  test("doctor issues: a new critical issue is critical, a new warning a warning, resolutions alone info", () => {
    const level = (payload: Record<string, unknown>) => logNoticeFor(message("doctor_issues", payload))?.level;
    expect(level({ opened: [{ severity: "warning" }, { severity: "critical" }], resolved: 0 })).toBe("critical");
    expect(level({ opened: [{ severity: "warning" }], resolved: 2 })).toBe("warning");
    expect(level({ opened: [], resolved: 1 })).toBe("info");
  });
});

describe("live feed", () => {
  let hub: InProcessBusHub;
  let publisher: InProcessBus;
  let feed: LiveFeed;
  const clients: Client[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    feed?.stop();
  });

  async function connect() {
    const deps = createMcpDeps(ServiceClient.fromConfig(loadConfig({}), "unused-key-0123456789"), "sim");
    const server = createMcpServer(deps, { live: true });
    const live = feed.attach(server);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    live.start(undefined);
    server.onclose = () => live.close();
    const client = new Client({ name: "live-test", version: "1" });
    await client.connect(clientSide);
    clients.push(client);
    const updates: string[] = [];
    const notices: LoggingMessageNotification["params"][] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void notices.push(n.params));
    /** Resolves when a notice with this message arrives: everything sent before it has arrived too. */
    const noticeSaying = (text: string) => waitUntil(() => notices.some((n) => (n.data as { message?: string }).message === text));
    return { client, updates, notices, noticeSaying };
  }

  async function waitUntil(done: () => boolean): Promise<void> {
    for (let i = 0; i < 500 && !done(); i++) await Bun.sleep(10);
    expect(done()).toBe(true);
  }

  const marker = (text: string) => publisher.publish("risk_alert", { level: "critical", kind: "marker", message: text });

  function start() {
    hub = new InProcessBusHub();
    publisher = hub.connectLocal("trading");
    feed = createLiveFeed(hub.connectLocal("orchestration"), createLogger("test", "error"), { coalesceMs: 10 });
  }

  test("the server declares subscriptions and logging; only subscribable resources can be subscribed to", async () => {
    start();
    const { client } = await connect();
    expect(client.getServerCapabilities()).toMatchObject({ resources: { subscribe: true }, logging: {} });
    await expect(client.subscribeResource({ uri: "positions://history" })).rejects.toThrow(/uri: positions:\/\/history sends no updates/);
  });

  test("only the subscribed URI is updated, only for the session that subscribed, and not after unsubscribing", async () => {
    start();
    const a = await connect();
    const b = await connect();
    await a.client.subscribeResource({ uri: "positions://current" });
    await publisher.publish("order_filled", { orderId: "o-1", status: "filled", qty: "1", price: "10" });
    await marker("after the first fill");
    await a.noticeSaying("after the first fill");
    await b.noticeSaying("after the first fill");
    expect(a.updates).toEqual(["positions://current"]);
    expect(b.updates).toEqual([]);

    await a.client.unsubscribeResource({ uri: "positions://current" });
    await Bun.sleep(20); // past the coalescing window: a pending update would have gone by now
    await publisher.publish("order_filled", { orderId: "o-2", status: "filled", qty: "1", price: "10" });
    await marker("after the second fill");
    await a.noticeSaying("after the second fill");
    expect(a.updates).toEqual(["positions://current"]);
  });

  test("at warning a client gets the daily-loss warning but not fills; at info it gets the fill too", async () => {
    start();
    const warn = await connect();
    const info = await connect();
    await warn.client.setLoggingLevel("warning");
    await info.client.setLoggingLevel("info");
    await publisher.publish("order_filled", { orderId: "o-3", status: "filled", qty: "2", price: "20" });
    await publisher.publish("risk_alert", { level: "warning", kind: "daily_loss_warning", message: "daily loss warning: 80%" });
    await marker("done");
    await warn.noticeSaying("done");
    await info.noticeSaying("done");
    expect(warn.notices.map((n) => [n.level, (n.data as { event: string }).event])).toEqual([
      ["warning", "risk_alert"],
      ["critical", "risk_alert"],
    ]);
    expect(info.notices.map((n) => n.level)).toEqual(["info", "warning", "critical"]);
    expect(info.notices[0]!.data).toMatchObject({ event: "fill", orderId: "o-3" });
  });

  test("a closed session leaves the feed", async () => {
    start();
    const a = await connect();
    expect(feed.receivers()).toBe(1);
    await a.client.close();
    clients.splice(0);
    await waitUntil(() => feed.receivers() === 0);
  });
});
