import { describe, expect, test } from "bun:test";
import { marketData, streaming, trading } from "@alpacahq/alpaca-trade-api";
import {
  BrokerDataError,
  mapAccount,
  mapBar,
  mapCalendarDay,
  mapFill,
  mapOrder,
  mapPosition,
  mapTradeUpdate,
  toPostOrderRequest,
} from "../../src/adapters/broker/alpaca-mapping.ts";
import { UnknownAlpacaStatusError } from "../../src/domain/order-status.ts";
import { bracketOrderJson, simpleOrderJson, bracketOrderRequest } from "../support/alpaca-fixtures.ts";

/** Through the SDK's own parser first, as every answer is. */
const order = (json: Record<string, unknown>) => mapOrder(trading.OrderFromJSON(json));

describe("orders", () => {
  test("a bracket maps with its legs, each knowing its parent", () => {
    const entry = order(bracketOrderJson());
    expect(entry).toMatchObject({
      id: "61e69015-8549-4bfd-b9c3-01e75843f47d",
      clientOrderId: "c-20210316-001-entry",
      symbol: "AAPL",
      side: "buy",
      type: "limit",
      timeInForce: "gtc",
      orderClass: "bracket",
      qty: "10",
      filledQty: "0",
      filledAvgPrice: null,
      limitPrice: "170.25",
      stopPrice: null,
      status: "accepted",
      alpacaStatus: "new",
      parentId: null,
      submittedAt: "2021-03-16T18:38:01.937Z",
      filledAt: null,
    });
    expect(entry.legs).toHaveLength(2);
    const [takeProfit, stopLoss] = entry.legs;
    expect(takeProfit).toMatchObject({ side: "sell", type: "limit", limitPrice: "180.00", status: "accepted", alpacaStatus: "held", parentId: entry.id, legs: [] });
    expect(stopLoss).toMatchObject({ side: "sell", type: "stop", stopPrice: "165.00", status: "accepted", alpacaStatus: "held", parentId: entry.id });
  });

  test("a filled simple order: Alpaca's empty order class is simple, money stays a string", () => {
    const exit = order(simpleOrderJson());
    expect(exit).toMatchObject({ orderClass: "simple", status: "filled", filledQty: "10", filledAvgPrice: "171.0150", filledAt: "2021-03-16T18:40:11.123Z", legs: [] });
  });

  test("a partially filled order being cancelled is a partial fill", () => {
    expect(order(bracketOrderJson({ status: "pending_cancel", filled_qty: "4", filled_avg_price: "170.20" })).status).toBe("partial_fill");
  });

  test("an unknown status or a float price is refused, never guessed", () => {
    expect(() => order(bracketOrderJson({ status: "frozen" }))).toThrow(UnknownAlpacaStatusError);
    expect(() => order(bracketOrderJson({ limit_price: 170.25 }))).toThrow(BrokerDataError);
    expect(() => order(bracketOrderJson({ side: "buy_to_cover" }))).toThrow(BrokerDataError);
    expect(() => order(bracketOrderJson({ id: undefined }))).toThrow("order.id is missing");
  });

  test("an order request goes out in the SDK's shape with both legs", () => {
    const body = trading.PostOrderRequestToJSON(
      toPostOrderRequest(bracketOrderRequest({ clientOrderId: "c-1" })),
    );
    expect(JSON.parse(JSON.stringify(body))).toEqual({
      symbol: "AAPL",
      qty: "10",
      side: "buy",
      type: "limit",
      time_in_force: "gtc",
      limit_price: "170.25",
      order_class: "bracket",
      take_profit: { limit_price: "180.00" },
      stop_loss: { stop_price: "165.00" },
      client_order_id: "c-1",
    });
  });
});

describe("positions, fills, account, calendar, bars", () => {
  const position = {
    asset_id: "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415",
    symbol: "TSLA",
    exchange: "NASDAQ",
    asset_class: "us_equity",
    asset_marginable: true,
    avg_entry_price: "200.50",
    qty: "-5",
    qty_available: "-5",
    side: "short",
    market_value: "-1000.00",
    cost_basis: "-1002.50",
    unrealized_pl: "2.50",
    unrealized_plpc: "0.0024937655860349",
    unrealized_intraday_pl: "2.50",
    unrealized_intraday_plpc: "0.0024937655860349",
    current_price: "200.00",
    lastday_price: "199.00",
    change_today: "0.0050251256281407",
  };

  test("a short position has a positive qty and side short", () => {
    expect(mapPosition(trading.PositionFromJSON(position))).toMatchObject({ symbol: "TSLA", side: "short", qty: "5", qtyAvailable: "5", avgEntryPrice: "200.50" });
  });

  test("a qty whose sign disagrees with the side is refused", () => {
    expect(() => mapPosition(trading.PositionFromJSON({ ...position, side: "long" }))).toThrow("disagrees");
  });

  test("a FILL activity keeps its money as strings; sell_short is a sell", () => {
    const fill = mapFill(
      trading.TradingActivitiesFromJSON({
        id: "20210316183801942::8e7b9ab5-0000-4000-8000-000000000001",
        activity_type: "FILL",
        transaction_time: "2021-03-16T18:38:01.942282Z",
        type: "partial_fill",
        price: "200.50",
        qty: "2",
        side: "sell_short",
        symbol: "TSLA",
        leaves_qty: "3",
        order_id: "904837e3-3b76-47ec-b432-046db621571b",
        cum_qty: "2",
        order_status: "partially_filled",
      }),
    );
    expect(fill).toEqual({
      id: "20210316183801942::8e7b9ab5-0000-4000-8000-000000000001",
      orderId: "904837e3-3b76-47ec-b432-046db621571b",
      symbol: "TSLA",
      side: "sell",
      qty: "2",
      price: "200.50",
      transactionTime: "2021-03-16T18:38:01.942Z",
      cumQty: "2",
      leavesQty: "3",
    });
  });

  test("the account, including fields the SDK model does not declare", () => {
    const account = mapAccount(
      trading.AccountFromJSON({
        id: "e6fe16f3-64a4-4921-8928-cadf02f92f98",
        account_number: "010203ABCD",
        status: "ACTIVE",
        currency: "USD",
        cash: "-23140.2",
        equity: "103820.56",
        last_equity: "103529.24",
        buying_power: "262113.632",
        long_market_value: "126960.76",
        short_market_value: "0",
        pattern_day_trader: false,
        daytrade_count: 0,
        trading_blocked: false,
        account_blocked: false,
        trade_suspended_by_user: false,
        shorting_enabled: true,
      }),
    );
    expect(account).toMatchObject({ cash: "-23140.2", equity: "103820.56", lastEquity: "103529.24", patternDayTrader: false, daytradeCount: 0, shortingEnabled: true });
  });

  test("a calendar day keeps its date and wall-clock times", () => {
    const day = mapCalendarDay(trading.LegacyCalendarDayFromJSON({ date: "2022-11-25", open: "09:30", close: "13:00", session_open: "0400", session_close: "2000" }));
    expect(day).toEqual({ date: "2022-11-25", open: "09:30", close: "13:00", sessionOpen: "0400", sessionClose: "2000" });
  });

  test("a bar from a symbol-keyed map (its time still a string) maps like a parsed one", () => {
    const raw = { t: "2022-02-28T05:00:00Z", o: 163.02, h: 165.42, l: 162.43, c: 165.12, v: 90552883, n: 743379, vw: 164.274348 };
    const expected = {
      timestamp: "2022-02-28T05:00:00.000Z",
      open: 163.02,
      high: 165.42,
      low: 162.43,
      close: 165.12,
      volume: 90552883,
      vwap: 164.274348,
      tradeCount: 743379,
    };
    expect(mapBar(raw as unknown as marketData.StockBar)).toEqual(expected);
    expect(mapBar(marketData.StockBarFromJSON(raw))).toEqual(expected);
  });
});

describe("trade updates", () => {
  test("a partial fill event carries the execution's price and quantity", () => {
    const update = mapTradeUpdate(
      streaming.mapTradeUpdate({
        event: "partial_fill",
        execution_id: "exec-1",
        timestamp: "2021-03-16T18:39:00.000001Z",
        price: "170.20",
        qty: "4",
        position_qty: "4",
        order: bracketOrderJson({ status: "partially_filled", filled_qty: "4", filled_avg_price: "170.20" }),
      }),
    );
    expect(update).toMatchObject({ event: "partial_fill", price: "170.20", qty: "4", positionQty: "4", executionId: "exec-1", timestamp: "2021-03-16T18:39:00.000Z" });
    expect(update.order.status).toBe("partial_fill");
    expect(update.order.legs).toHaveLength(2);
  });

  test("a non-fill event has no price; an unknown event is refused", () => {
    const base = { timestamp: "2021-03-16T18:39:00Z", order: bracketOrderJson() };
    expect(mapTradeUpdate(streaming.mapTradeUpdate({ ...base, event: "new" }))).toMatchObject({ event: "new", price: null, qty: null, executionId: null });
    expect(() => mapTradeUpdate(streaming.mapTradeUpdate({ ...base, event: "exploded" }))).toThrow(BrokerDataError);
  });
});
