import { bracketOrderRequest } from "../support/alpaca-fixtures.ts";
import { describe, expect, test } from "bun:test";
import type { OrderRequest } from "../../src/adapters/broker/broker.ts";
import { orderRequestProblem, replaceRequestProblem } from "../../src/adapters/broker/order-request.ts";

const bracket: OrderRequest = bracketOrderRequest();

function problem(changes: Partial<OrderRequest>): string | null {
  return orderRequestProblem({ ...bracket, ...changes });
}

describe("order request checks", () => {
  test("a well-formed bracket, market order and short bracket pass", () => {
    expect(orderRequestProblem(bracket)).toBeNull();
    expect(problem({ type: "market", limitPrice: undefined, orderClass: "simple", takeProfit: undefined, stopLoss: undefined, timeInForce: "day" })).toBeNull();
    expect(problem({ side: "sell", takeProfit: { limitPrice: "160.00" }, stopLoss: { stopPrice: "175.00", limitPrice: "175.50" } })).toBeNull();
  });

  test("qty must be whole shares", () => {
    for (const qty of ["0", "1.5", "-1", "", "10 "]) expect(problem({ qty })).toContain("qty");
  });

  test("prices belong to their order type", () => {
    expect(problem({ type: "market" })).toContain("takes no limitPrice");
    expect(problem({ limitPrice: undefined })).toContain("limitPrice is required");
    expect(problem({ type: "stop", limitPrice: undefined })).toContain("stopPrice is required");
    expect(problem({ type: "stop_limit", stopPrice: "170.00" })).toBeNull();
  });

  test("prices must be positive and on the tick grid", () => {
    expect(problem({ limitPrice: "170.255" })).toContain("tick");
    expect(problem({ limitPrice: "-1.00" })).toContain("positive");
    expect(problem({ limitPrice: "0.12345" })).toContain("tick");
    expect(problem({ takeProfit: { limitPrice: "180.001" } })).toContain("takeProfit.limitPrice");
  });

  test("an inverted bracket is refused", () => {
    expect(problem({ takeProfit: { limitPrice: "160.00" } })).toContain("wrong side");
    expect(problem({ side: "sell" })).toContain("wrong side");
  });

  test("legs match the order class", () => {
    expect(problem({ stopLoss: undefined })).toContain("needs both");
    expect(problem({ orderClass: "simple" })).toContain("simple order takes no");
    expect(problem({ orderClass: "oto", takeProfit: undefined })).toBeNull();
    expect(problem({ orderClass: "oto" })).toContain("exactly one");
    expect(problem({ timeInForce: "ioc" })).toContain("day or gtc");
  });

  test("client order id is required and bounded", () => {
    expect(problem({ clientOrderId: "" })).toContain("clientOrderId");
    expect(problem({ clientOrderId: "x".repeat(129) })).toContain("128");
  });

  test("extended hours only for day limit orders", () => {
    expect(problem({ extendedHours: true })).toContain("extendedHours");
    expect(problem({ extendedHours: true, orderClass: "simple", takeProfit: undefined, stopLoss: undefined, timeInForce: "day" })).toBeNull();
  });

  test("a replace needs its own client id and valid changes", () => {
    expect(replaceRequestProblem({ clientOrderId: "c-1-r1", limitPrice: "171.00" })).toBeNull();
    expect(replaceRequestProblem({ clientOrderId: "", limitPrice: "171.00" })).toContain("clientOrderId");
    expect(replaceRequestProblem({ clientOrderId: "c-1-r1", qty: "2.5" })).toContain("qty");
    expect(replaceRequestProblem({ clientOrderId: "c-1-r1", stopPrice: "1.005" })).toContain("tick");
  });
});
