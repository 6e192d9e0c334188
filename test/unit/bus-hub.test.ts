import { describe, expect, test } from "bun:test";
import { InProcessBusHub } from "../../src/adapters/bus/in-process.ts";
import { parseBusMessage } from "../../src/contracts/bus.ts";

describe("in-process hub", () => {
  test("a throwing subscriber does not stop delivery to the others", async () => {
    const hub = new InProcessBusHub();
    const a = hub.connectLocal("a");
    const b = hub.connectLocal("b");
    const got: unknown[] = [];
    b.subscribe("order_filled", () => {
      throw new Error("boom");
    });
    b.subscribe("order_filled", (m) => got.push(m.payload));
    const originalError = console.error;
    console.error = () => undefined;
    try {
      await a.publish("order_filled", { orderId: 1 });
    } finally {
      console.error = originalError;
    }
    expect(got).toEqual([{ orderId: 1 }]);
  });

  test("after close, publishes report false", async () => {
    const bus = new InProcessBusHub().connectLocal("test");
    await bus.close();
    expect(await bus.publish("risk_alert", {})).toBe(false);
    expect(bus.health().ok).toBe(false);
  });
});

describe("bus message parsing", () => {
  const valid = { version: 1, channel: "scan_complete", publishedAt: "2026-11-24T14:30:00Z", source: "scanner", payload: {} };

  test("a well-formed message parses", () => {
    expect(parseBusMessage(JSON.stringify(valid))).toEqual(valid as never);
  });

  test.each([
    ["not json", "{"],
    ["another version", JSON.stringify({ ...valid, version: 2 })],
    ["an unknown channel", JSON.stringify({ ...valid, channel: "orders" })],
    ["no payload", JSON.stringify({ ...valid, payload: undefined })],
    ["no source", JSON.stringify({ ...valid, source: 7 })],
  ])("%s is refused", (_, raw) => {
    expect(parseBusMessage(raw)).toBeNull();
  });
});
