/** Account, calendar, assets, orders, positions and fills on Alpaca's trading API. */
import { trading } from "@alpacahq/alpaca-trade-api";
import { brokerCall, brokerLookup, httpStatusOf, toBrokerError } from "./alpaca-errors.ts";
import {
  BrokerDataError,
  mapAccount,
  mapAsset,
  mapCalendarDay,
  mapCancelResult,
  mapClock,
  mapFill,
  mapOrder,
  mapPosition,
  optionalDate,
  toPatchOrderRequest,
  toPostOrderRequest,
} from "./alpaca-mapping.ts";
import { submitOnce, type LookupPolicy } from "./alpaca-submit.ts";
import type { AlpacaApis } from "./alpaca.ts";
import { BrokerError, type BrokerFill, type BrokerOrder, type IsoDate, type IsoTime, type TradingBroker } from "./broker.ts";
import { isWholeShares, replaceRequestProblem } from "./order-request.ts";

/** Alpaca's largest page of orders. */
const ORDER_PAGE_MAX = 500;
const MAX_ORDER_PAGES = 100;
/** Alpaca's largest page of activities. */
const FILL_PAGE = 100;
const MAX_FILL_PAGES = 500;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The SDK sends calendar dates as full timestamps. Noon UTC is the same calendar day in UTC and
 * in New York, so the day comes out right however the server reads it.
 */
function middayUtc(date: IsoDate): Date {
  return new Date(`${date}T12:00:00Z`);
}

/**
 * Alpaca pages orders by submission time with an exclusive `until`. Stepping it 1 ms past the
 * oldest order seen re-fetches that millisecond, so orders submitted in the same instant as the
 * page boundary are not skipped; the repeats are dropped by id.
 */
function nextUntil(page: BrokerOrder[]): IsoTime {
  const times = page.map((order) => Date.parse(order.submittedAt ?? order.createdAt ?? ""));
  if (times.some(Number.isNaN)) throw new BrokerError("invalid_response", "listOrders", "an order without submitted_at cannot be paged");
  return new Date(Math.min(...times) + 1).toISOString();
}

export function alpacaTrading(apis: AlpacaApis, options: { timeoutMs: number; submitLookup: LookupPolicy }): TradingBroker {
  const getOrderByClientId = (clientOrderId: string, init?: RequestInit) =>
    brokerLookup("getOrderByClientId", async () => mapOrder(await apis.orders.getOrderByClientOrderId({ clientOrderId }, init)));

  return {
    getAccount: () => brokerCall("getAccount", async () => mapAccount(await apis.account.getAccount())),

    getClock: () => brokerCall("getClock", async () => mapClock(await apis.clock.legacyClock())),

    getCalendar: (start, end) =>
      brokerCall("getCalendar", async () => {
        if (!ISO_DATE.test(start) || !ISO_DATE.test(end)) {
          throw new BrokerError("invalid_request", "getCalendar", `dates must be YYYY-MM-DD (got ${start}, ${end})`);
        }
        const days = await apis.calendar.legacyCalendar({ start: middayUtc(start), end: middayUtc(end) });
        return days.map(mapCalendarDay);
      }),

    listAssets: (filter = {}) =>
      brokerCall("listAssets", async () => {
        const assets = await apis.assets.getV2Assets({
          status: filter.status ?? "active",
          assetClass: filter.assetClass ?? "us_equity",
          exchange: filter.exchange,
        });
        return assets.map(mapAsset);
      }),

    getAsset: (symbol) =>
      brokerLookup("getAsset", async () => mapAsset(await apis.assets.getV2AssetsSymbolOrAssetId({ symbolOrAssetId: symbol }))),

    submitOrder: (request) =>
      submitOnce(
        request,
        {
          post: (order) => apis.orders.postOrder({ postOrderRequest: toPostOrderRequest(order) }),
          // One deadline over a lookup and the SDK's retries of it, so resolving stays short.
          lookup: (clientOrderId) => getOrderByClientId(clientOrderId, { signal: AbortSignal.timeout(options.timeoutMs) }),
        },
        options.submitLookup,
      ),

    getOrder: (id) => brokerLookup("getOrder", async () => mapOrder(await apis.orders.getOrderByOrderID({ orderId: id, nested: true }))),

    getOrderByClientId: (clientOrderId) => getOrderByClientId(clientOrderId),

    listOrders: async (query = {}) => {
      const limit = Math.min(query.limit ?? ORDER_PAGE_MAX, ORDER_PAGE_MAX);
      const found = new Map<string, BrokerOrder>();
      let until = query.until;
      for (let page = 0; page < MAX_ORDER_PAGES; page++) {
        const batch = await brokerCall("listOrders", async () => {
          const orders = await apis.orders.getAllOrders({
            status: query.status ?? "open",
            limit,
            after: query.after,
            until,
            direction: "desc",
            nested: query.nested ?? true,
            symbols: query.symbols?.join(","),
          });
          return orders.map(mapOrder);
        });
        const before = found.size;
        for (const order of batch) found.set(order.id, order);
        if (batch.length < limit) return [...found.values()];
        if (found.size === before) {
          const problem = `more than ${limit} orders were submitted in one millisecond; they cannot be paged by time`;
          throw new BrokerError("too_many_pages", "listOrders", problem);
        }
        until = nextUntil(batch);
      }
      throw new BrokerError("too_many_pages", "listOrders", `more than ${MAX_ORDER_PAGES} pages of ${limit} orders`);
    },

    cancelOrder: async (id) => {
      try {
        await apis.orders.deleteOrderByOrderID({ orderId: id });
        return "requested";
      } catch (error) {
        const status = httpStatusOf(error);
        if (status === 404) return "not_found";
        // Alpaca's answer when the order is already filled, cancelled or otherwise final.
        if (status === 422) return "not_cancelable";
        throw toBrokerError("cancelOrder", error);
      }
    },

    cancelAllOrders: () =>
      brokerCall("cancelAllOrders", async () => {
        const results = await apis.orders.deleteAllOrders();
        return results.map(mapCancelResult);
      }),

    replaceOrder: (id, changes) =>
      brokerCall("replaceOrder", async () => {
        const problem = replaceRequestProblem(changes);
        if (problem) throw new BrokerError("invalid_request", "replaceOrder", problem);
        return mapOrder(await apis.orders.patchOrderByOrderId({ orderId: id, patchOrderRequest: toPatchOrderRequest(changes) }));
      }),

    listPositions: () => brokerCall("listPositions", async () => (await apis.positions.getAllOpenPositions()).map(mapPosition)),

    getPosition: (symbol) =>
      brokerLookup("getPosition", async () => mapPosition(await apis.positions.getOpenPosition({ symbolOrAssetId: symbol }))),

    closePosition: (symbol, closeOptions = {}) =>
      brokerCall("closePosition", async () => {
        const { qty } = closeOptions;
        if (qty !== undefined && !isWholeShares(qty)) {
          throw new BrokerError("invalid_request", "closePosition", `qty must be whole shares > 0 (got "${qty}")`);
        }
        // The SDK types qty as a number; a whole share count converts exactly.
        return mapOrder(await apis.positions.deleteOpenPosition({ symbolOrAssetId: symbol, qty: qty === undefined ? undefined : Number(qty) }));
      }),

    closeAllPositions: ({ cancelOrders }) =>
      brokerCall("closeAllPositions", async () => {
        const results = await apis.positions.deleteAllOpenPositions({ cancelOrders });
        return results.map((result) => ({
          symbol: result.symbol,
          httpStatus: result.status,
          order: result.body ? mapOrder(result.body) : null,
        }));
      }),

    listFills: async (query = {}) => {
      const fills: BrokerFill[] = [];
      let pageToken: string | undefined;
      for (let page = 0; page < MAX_FILL_PAGES; page++) {
        const batch = await brokerCall("listFills", async () => {
          const response = await apis.activities.getAccountActivitiesByActivityTypeRaw({
            activityType: "FILL",
            after: optionalDate(query.after),
            until: optionalDate(query.until),
            direction: "asc",
            pageSize: FILL_PAGE,
            pageToken,
          });
          // The SDK's parsed answer takes every activity for a non-trade one and drops price,
          // side and order id; read the JSON and parse it as trade activities.
          const rows: unknown = await response.raw.json();
          if (!Array.isArray(rows)) throw new BrokerDataError("account activities: expected an array");
          return rows.map((row) => mapFill(trading.TradingActivitiesFromJSON(row)));
        });
        fills.push(...batch);
        const last = batch.at(-1);
        if (batch.length < FILL_PAGE || !last) return fills;
        pageToken = last.id;
      }
      throw new BrokerError("too_many_pages", "listFills", `more than ${MAX_FILL_PAGES} pages of ${FILL_PAGE} fills`);
    },
  };
}
