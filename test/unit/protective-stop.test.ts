import { describe, expect, test } from "bun:test";
import { protectiveStopPrice } from "../../src/domain/orders/protective-stop.ts";

describe("the stop placed again on an unprotected position", () => {
  test("keeps the planned stop while it is below a long's last price (above a short's)", () => {
    expect(protectiveStopPrice("long", "9.50", "10.00", "10.20")).toBe("9.50");
    expect(protectiveStopPrice("short", "10.50", "10.00", "9.80")).toBe("10.50");
  });
  test("a planned stop the market has passed would trigger at once: 1 % beyond the last price instead", () => {
    expect(protectiveStopPrice("long", "9.50", "9.40", "10.00")).toBe("9.30");
    expect(protectiveStopPrice("short", "10.50", "10.60", "10.00")).toBe("10.71");
  });
  test("no planned stop: 1 % beyond the last price, or the entry when never marked; on the tick grid", () => {
    expect(protectiveStopPrice("long", null, "12.345", "12.00")).toBe("12.22");
    expect(protectiveStopPrice("long", null, null, "0.5")).toBe("0.4950");
    expect(protectiveStopPrice("short", null, null, "20")).toBe("20.20");
  });
});
