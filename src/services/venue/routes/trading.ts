/** Alpaca's trading API (/v2/account, assets, clock, calendar, orders, positions, activities). */
import { Elysia } from "elysia";
import { addDays, etDate, nextTradingDay, previousTradingDay, session, tradingDaysBetween, type TradingSession } from "../../../domain/exchange-calendar.ts";
import { TERMINAL_STATUSES, invalid, notFound, type VenueOrder } from "../exchange/types.ts";
import { instant, integerParam, parseOrderChanges, parseOrderSubmission, queryChoice, symbolList } from "../parse.ts";
import { accountJson, activityId, assetJson, calendarJson, clockJson, fillActivityJson, orderJson, positionJson } from "../shapes/trading.ts";
import type { Venue } from "../venue.ts";

type Query = Record<string, string | undefined>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function tradingRoutes(venue: Venue) {
  const { exchange, market } = venue;

  const findAsset = (symbolOrId: string) =>
    UUID.test(symbolOrId) ? market.assets().find((a) => a.id === symbolOrId.toLowerCase()) : market.asset(symbolOrId.toUpperCase());

  const orderOut = (order: VenueOrder, nested: boolean) => orderJson(order, nested ? exchange.legsOf(order) : null);

  const nextSession = (now: number): TradingSession => {
    const today = session(etDate(now));
    if (today && now < today.close) return today;
    return session(nextTradingDay(etDate(now)))!;
  };

  const positionOut = (symbol: string, now: number) => {
    const position = exchange.position(symbol);
    if (!position) return null;
    const asset = market.asset(symbol)!;
    const current = exchange.priceTicks(symbol, now);
    const previousClose = market.dailyBar(symbol, previousSessionDate(now));
    const lastday = previousClose ? Math.round(previousClose.c * 10_000) : current;
    return positionJson(position, asset.exchange, current, lastday, exchange.availableQty(symbol));
  };

  return new Elysia({ name: "venue-trading" })
    .get("/v2/account", () => {
      const now = venue.now();
      const today = etDate(now);
      const dayTrades = new Set(exchange.fills().filter((f) => etDate(f.at) === today).map((f) => f.symbol)).size;
      return accountJson(exchange.account(now), dayTrades);
    })
    .get("/v2/assets", ({ query }: { query: Query }) => {
      const status = queryChoice(query.status, "status", ["active", "inactive", "all"] as const, "all");
      const assetClass = query.asset_class ?? "us_equity";
      if (assetClass !== "us_equity") return [];
      const exchangeFilter = query.exchange?.toUpperCase();
      return market
        .assets()
        .filter((a) => (status === "all" || (status === "active") === a.tradable) && (!exchangeFilter || a.exchange === exchangeFilter))
        .map((a) => assetJson({ ...a, active: a.tradable }));
    })
    .get("/v2/assets/:symbol", ({ params }) => {
      const asset = findAsset(decodeURIComponent(params.symbol));
      if (!asset) throw notFound("asset not found");
      return assetJson({ ...asset, active: asset.tradable });
    })
    .get("/v2/clock", () => {
      const now = venue.now();
      const today = session(etDate(now));
      const isOpen = today !== null && now >= today.open && now < today.close;
      const upcoming = nextSession(now);
      const nextOpen = isOpen || (today && now >= today.open) ? session(nextTradingDay(etDate(now)))!.open : upcoming.open;
      return clockJson(now, isOpen, nextOpen, upcoming.close);
    })
    .get("/v2/calendar", ({ query }: { query: Query }) => {
      const today = etDate(venue.now());
      const start = dateParam(query.start, "start") ?? today;
      const end = dateParam(query.end, "end") ?? addDays(start, 30);
      if (end < start) throw invalid("end must not be before start");
      if (tradingDaysSpan(start, end) > 3_700) throw invalid("calendar range is limited to about ten years");
      return tradingDaysBetween(start, end).map((day) => calendarJson(session(day)!));
    })
    .post("/v2/orders", ({ body }) => {
      const now = venue.now();
      const order = exchange.submit(parseOrderSubmission(body), now);
      return orderOut(order, true);
    })
    .get("/v2/orders", ({ query }: { query: Query }) => {
      venue.now();
      const nested = query.nested === "true";
      const orders = exchange.listOrders({
        status: queryChoice(query.status, "status", ["open", "closed", "all"] as const, "open"),
        symbols: query.symbols ? symbolList(query.symbols) : undefined,
        side: query.side === undefined ? undefined : queryChoice(query.side, "side", ["buy", "sell"] as const, "buy"),
        after: instant(query.after, "after"),
        until: instant(query.until, "until"),
        limit: integerParam(query.limit, "limit", 50, 1, 500),
        direction: queryChoice(query.direction, "direction", ["asc", "desc"] as const, "desc"),
        nested,
      });
      return orders.map((order) => orderOut(order, nested));
    })
    .delete("/v2/orders", ({ set }) => {
      const canceled = exchange.cancelAll(venue.now());
      set.status = 207;
      return canceled.map((order) => ({ id: order.id, status: 200, body: orderOut(order, false) }));
    })
    .get("/v2/orders/by-client-order-id", ({ query }: { query: Query }) => {
      venue.now();
      if (!query.client_order_id) throw invalid("client_order_id is required");
      const order = exchange.orderByClientId(query.client_order_id);
      if (!order) throw notFound("order not found");
      return orderOut(order, true);
    })
    .get("/v2/orders/:id", ({ params, query }: { params: { id: string }; query: Query }) => {
      venue.now();
      const order = exchange.order(params.id);
      if (!order) throw notFound("order not found");
      return orderOut(order, query.nested !== "false");
    })
    .patch("/v2/orders/:id", ({ params, body }) => orderOut(exchange.replace(params.id, parseOrderChanges(body), venue.now()), true))
    .delete("/v2/orders/:id", ({ params, set }) => {
      exchange.cancel(params.id, venue.now());
      set.status = 204;
      return new Response(null, { status: 204 });
    })
    .get("/v2/positions", () => {
      const now = venue.now();
      return exchange.positions().map((p) => positionOut(p.symbol, now));
    })
    .delete("/v2/positions", ({ query, set }: { query: Query; set: { status?: number | string } }) => {
      const now = venue.now();
      if (query.cancel_orders === "true") exchange.cancelAll(now);
      set.status = 207;
      return exchange.positions().map((p) => {
        try {
          return { symbol: p.symbol, status: 200, body: orderOut(exchange.closePosition(p.symbol, null, now), false) };
        } catch (error) {
          const status = (error as { status?: number }).status ?? 500;
          return { symbol: p.symbol, status, body: { code: (error as { code?: number }).code ?? 50010000, message: (error as Error).message } };
        }
      });
    })
    .get("/v2/positions/:symbol", ({ params }) => {
      const asset = findAsset(decodeURIComponent(params.symbol));
      const out = asset ? positionOut(asset.symbol, venue.now()) : null;
      if (!out) throw notFound("position does not exist");
      return out;
    })
    .delete("/v2/positions/:symbol", ({ params, query }: { params: { symbol: string }; query: Query }) => {
      const now = venue.now();
      const asset = findAsset(decodeURIComponent(params.symbol));
      const position = asset ? exchange.position(asset.symbol) : undefined;
      if (!asset || !position) throw notFound("position does not exist");
      const qty = closeQty(query, Math.abs(position.qty));
      return orderOut(exchange.closePosition(asset.symbol, qty, now), false);
    })
    .get("/v2/account/activities", ({ query }: { query: Query }) => activities(venue, query, query.activity_types))
    .get("/v2/account/activities/:type", ({ params, query }: { params: { type: string }; query: Query }) => activities(venue, query, params.type));
}

/** The trading day before the most recent one (today's, or the last before a closed day): its close is `lastday_price`. */
function previousSessionDate(now: number): string {
  let day = etDate(now);
  while (!session(day)) day = addDays(day, -1);
  return previousTradingDay(day);
}

function dateParam(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === "") return undefined;
  const day = value.slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day))) throw invalid(`invalid ${name} ${JSON.stringify(value)}: must be YYYY-MM-DD`);
  return day;
}

function tradingDaysSpan(start: string, end: string): number {
  return (Date.parse(end) - Date.parse(start)) / 86_400_000;
}

function closeQty(query: Query, held: number): number | null {
  if (query.qty !== undefined && query.percentage !== undefined) throw invalid("send qty or percentage, not both");
  if (query.qty !== undefined) {
    const qty = Number(query.qty);
    if (!Number.isInteger(qty) || qty <= 0 || qty > held) throw invalid(`invalid qty ${JSON.stringify(query.qty)}: must be a whole number from 1 to ${held}`);
    return qty;
  }
  if (query.percentage !== undefined) {
    const pct = Number(query.percentage);
    if (!(pct > 0 && pct <= 100)) throw invalid(`invalid percentage ${JSON.stringify(query.percentage)}: must be in (0, 100]`);
    return Math.max(1, Math.floor((held * pct) / 100));
  }
  return null;
}

const ACTIVITY_PAGE_MAX = 100;

/** FILL activities, paged like Alpaca: page_token is the last id seen, direction desc by default. */
function activities(venue: Venue, query: Query, types: string | undefined) {
  venue.now();
  const wanted = (types ?? "FILL").split(",").map((t) => t.trim().toUpperCase());
  if (!wanted.includes("FILL")) return [];
  const direction = queryChoice(query.direction, "direction", ["asc", "desc"] as const, "desc");
  const pageSize = integerParam(query.page_size, "page_size", ACTIVITY_PAGE_MAX, 1, ACTIVITY_PAGE_MAX);
  const after = instant(query.after, "after");
  const until = instant(query.until, "until");
  const date = query.date ? dateParam(query.date, "date") : undefined;
  let fills = venue.exchange.fills().filter(
    (f) => (after === undefined || f.at > after) && (until === undefined || f.at < until) && (date === undefined || etDate(f.at) === date),
  );
  if (direction === "desc") fills = [...fills].reverse();
  if (query.page_token) {
    const index = fills.findIndex((f) => activityId(f) === query.page_token);
    if (index < 0) throw invalid("invalid page_token");
    fills = fills.slice(index + 1);
  }
  return fills.slice(0, pageSize).map((fill) => {
    const order = venue.exchange.order(fill.orderId)!;
    return fillActivityJson(fill, TERMINAL_STATUSES.has(order.status) || fill.final ? order.status : "partially_filled");
  });
}
