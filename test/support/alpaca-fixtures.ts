/** Alpaca wire JSON as its API sends it (snake_case, decimal strings, microsecond times). */
import type { OrderRequest } from "../../src/adapters/broker/broker.ts";

/** A buy-limit bracket entry with its two held legs, as GET /v2/orders/{id}?nested=true returns it. */
export function bracketOrderJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const common = {
    created_at: "2021-03-16T18:38:01.942282Z",
    updated_at: "2021-03-16T18:38:01.942282Z",
    submitted_at: "2021-03-16T18:38:01.937734Z",
    filled_at: null,
    expired_at: null,
    canceled_at: null,
    failed_at: null,
    replaced_at: null,
    replaced_by: null,
    replaces: null,
    asset_id: "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415",
    symbol: "AAPL",
    asset_class: "us_equity",
    notional: null,
    qty: "10",
    filled_qty: "0",
    filled_avg_price: null,
    order_class: "bracket",
    time_in_force: "gtc",
    extended_hours: false,
    trail_percent: null,
    trail_price: null,
    hwm: null,
  };
  return {
    ...common,
    id: "61e69015-8549-4bfd-b9c3-01e75843f47d",
    client_order_id: "c-20210316-001-entry",
    order_type: "limit",
    type: "limit",
    side: "buy",
    limit_price: "170.25",
    stop_price: null,
    status: "new",
    legs: [
      {
        ...common,
        id: "7a3b2c1d-0000-4000-8000-000000000001",
        client_order_id: "c-20210316-001-tp",
        order_type: "limit",
        type: "limit",
        side: "sell",
        limit_price: "180.00",
        stop_price: null,
        status: "held",
        legs: null,
      },
      {
        ...common,
        id: "7a3b2c1d-0000-4000-8000-000000000002",
        client_order_id: "c-20210316-001-sl",
        order_type: "stop",
        type: "stop",
        side: "sell",
        limit_price: null,
        stop_price: "165.00",
        status: "held",
        legs: null,
      },
    ],
    ...overrides,
  };
}

/** A simple market order: real Alpaca sends order_class "" for it. */
export function simpleOrderJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...bracketOrderJson(),
    id: "904837e3-3b76-47ec-b432-046db621571b",
    client_order_id: "c-20210316-002-exit",
    order_class: "",
    order_type: "market",
    type: "market",
    side: "sell",
    time_in_force: "day",
    limit_price: null,
    status: "filled",
    filled_qty: "10",
    filled_avg_price: "171.0150",
    filled_at: "2021-03-16T18:40:11.123456Z",
    legs: null,
    ...overrides,
  };
}

/** Our side of a bracket: the request the adapter turns into Alpaca's POST /v2/orders body. */
export function bracketOrderRequest(overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    symbol: "AAPL",
    qty: "10",
    side: "buy",
    type: "limit",
    timeInForce: "gtc",
    limitPrice: "170.25",
    orderClass: "bracket",
    takeProfit: { limitPrice: "180.00" },
    stopLoss: { stopPrice: "165.00" },
    clientOrderId: "c-20240102-001-entry",
    ...overrides,
  };
}
