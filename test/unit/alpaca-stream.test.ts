/** The trade_updates stream against a small in-test server speaking Alpaca's stream protocol. */
import { afterEach, describe, expect, test } from "bun:test";
import { createAlpacaBroker } from "../../src/adapters/broker/alpaca.ts";
import type { StreamState, TradeUpdate, TradeUpdateStream } from "../../src/adapters/broker/broker.ts";
import { bracketOrderJson } from "../support/alpaca-fixtures.ts";

const SECRET = "0123456789abcdef0123";

/** Authenticates key "sim" + SECRET, confirms `listen`, then sends `updates`. */
function fakeStreamServer(updates: Record<string, unknown>[]) {
  return Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request, server) {
      return server.upgrade(request) ? undefined : new Response("websocket only", { status: 400 });
    },
    websocket: {
      message(ws, raw) {
        const frame = JSON.parse(String(raw)) as { action: string; data: Record<string, unknown> };
        if (frame.action === "authenticate") {
          const ok = frame.data.key_id === "sim" && frame.data.secret_key === SECRET;
          ws.send(JSON.stringify({ stream: "authorization", data: { action: "authenticate", status: ok ? "authorized" : "unauthorized" } }));
          if (!ok) ws.close();
        } else if (frame.action === "listen") {
          ws.send(JSON.stringify({ stream: "listening", data: { streams: ["trade_updates"] } }));
          for (const update of updates) ws.send(JSON.stringify({ stream: "trade_updates", data: update }));
        }
      },
    },
  });
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function open(updates: Record<string, unknown>[], secret = SECRET) {
  const server = fakeStreamServer(updates);
  const broker = createAlpacaBroker({
    tradingBaseUrl: "http://unused.test",
    dataBaseUrl: "http://unused.test",
    streamUrl: `ws://127.0.0.1:${server.port}/stream`,
    keyId: "sim",
    secret,
    callerName: "test",
    timeoutMs: 2_000,
  });
  const received: TradeUpdate[] = [];
  const states: [StreamState, string | undefined][] = [];
  const stream: TradeUpdateStream = broker.streamTradeUpdates(
    (update) => received.push(update),
    (state, detail) => states.push([state, detail]),
  );
  cleanups.push(() => {
    stream.close();
    server.stop(true);
  });
  return { stream, received, states };
}

describe("trade updates stream", () => {
  test("authenticates, subscribes, delivers mapped updates; reports an unreadable one instead of dropping it silently", async () => {
    const { stream, received, states } = open([
      {
        event: "fill",
        timestamp: "2024-01-02T14:31:00Z",
        price: "170.25",
        qty: "10",
        position_qty: "10",
        execution_id: "x1",
        order: bracketOrderJson({ status: "filled", filled_qty: "10", filled_avg_price: "170.25" }),
      },
      // A float price where Alpaca sends a decimal string: reported, not delivered.
      { event: "fill", timestamp: "2024-01-02T14:31:01Z", price: 170.25, qty: "10", order: bracketOrderJson({ status: "filled", filled_qty: "10" }) },
    ]);
    expect(await stream.ready).toBe(true);
    await Bun.sleep(50);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ event: "fill", price: "170.25", qty: "10", positionQty: "10", executionId: "x1", order: { status: "filled" } });
    expect(states.map(([state]) => state)).toContain("listening");
    expect(states.find(([state]) => state === "error")?.[1]).toContain("unreadable trade update");
  });

  test("rejected credentials: ready is false", async () => {
    const { stream } = open([], "wrong-secret-wrong-secret");
    expect(await stream.ready).toBe(false);
  });
});
