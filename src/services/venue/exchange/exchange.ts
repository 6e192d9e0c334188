/**
 * The simulated exchange: order lifecycle, fills and the account, driven only by the simulated
 * clock (`advance(now)`), so the same seed, orders and clock stops give the same fills every run.
 */
import { etDate, nextTradingDay, session, type TradingSession } from "../../../domain/exchange-calendar.ts";
import {
  limitTouch,
  marketExecutionPrice,
  minuteLiquidity,
  stopCrossed,
  stopTrigger,
  withinLimit,
  type BarTicks,
} from "./fill-model.ts";
import { deterministicUuid } from "./ids.ts";
import { Ledger } from "./ledger.ts";
import { toTicks } from "./ticks.ts";
import {
  TERMINAL_STATUSES,
  invalid,
  notFound,
  VenueRejection,
  ALPACA_CODES,
  type OrderChanges,
  type OrderSubmission,
  type Side,
  type TradeEvent,
  type VenueFill,
  type VenueOrder,
} from "./types.ts";
import { checkExitPrices, checkOrderShape, checkQuantityAvailable, reducesPosition } from "./validate.ts";

const MINUTE = 60_000;
/** Market orders execute at the trade one second after they start working. */
const NEXT_TRADE_DELAY_MS = 1_000;
const PDT_EQUITY_TICKS = toTicks(25_000);

/** What the exchange needs from the market generator (prices in dollars, as generated). */
export interface MarketView {
  asset(symbol: string): { id: string; symbol: string; tradable: boolean; shortable: boolean; easyToBorrow: boolean } | undefined;
  priceAt(symbol: string, atMs: number): number | null;
  minuteBar(symbol: string, minuteStartMs: number): { o: number; h: number; l: number; c: number; v: number } | null;
  spread(symbol: string, price: number): number;
}

export interface AccountState {
  cash: number;
  equity: number;
  lastEquity: number;
  longMarketValue: number;
  shortMarketValue: number;
  buyingPower: number;
  multiplier: number;
}

export interface ExchangeOptions {
  seed: number;
  /**
   * Mixed into order and fill ids so a restarted venue never reuses one (Catalyst stores broker ids
   * as unique); fills stay deterministic, ids are unique per run. Defaults to a random id.
   */
  runId?: string;
  /** Starting cash in ticks. */
  initialCash: number;
  /** Simulated instant the exchange starts at. */
  startAt: number;
}

export interface OrderQuery {
  status: "open" | "closed" | "all";
  symbols?: string[];
  side?: Side;
  after?: number;
  until?: number;
  limit: number;
  direction: "asc" | "desc";
  /** With nested, legs appear inside their parent instead of as separate orders. */
  nested: boolean;
}

export class Exchange {
  private readonly orders = new Map<string, VenueOrder>();
  private readonly byClientId = new Map<string, VenueOrder>();
  private readonly fillLog: VenueFill[] = [];
  private readonly ledger: Ledger;
  private readonly listeners = new Set<(event: TradeEvent) => void>();
  /** Shares each order took from a minute, keyed `${orderId}:${minute}`; pruned as time moves on. */
  private readonly minuteUse = new Map<string, number>();
  /** Submission order, the tie-breaker wherever two orders compete. */
  private readonly orderSeqs = new Map<string, number>();
  private orderSeq = 0;
  private fillSeq = 0;
  private processedUntil: number;
  private readonly runId: string;
  private lastEquity: number;
  /** Fault injection: this many upcoming fills that would complete an order are cut in half. */
  forcedPartialFills = 0;

  constructor(
    private readonly market: MarketView,
    private readonly options: ExchangeOptions,
  ) {
    this.ledger = new Ledger(options.initialCash);
    this.runId = options.runId ?? crypto.randomUUID();
    this.processedUntil = options.startAt;
    this.lastEquity = options.initialCash;
  }

  onEvent(listener: (event: TradeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get clockProcessedUntil(): number {
    return this.processedUntil;
  }

  // ---- queries ----

  order(id: string): VenueOrder | undefined {
    return this.orders.get(id);
  }

  orderByClientId(clientOrderId: string): VenueOrder | undefined {
    return this.byClientId.get(clientOrderId);
  }

  legsOf(order: VenueOrder): VenueOrder[] {
    return order.legIds.map((id) => this.orders.get(id)!);
  }

  listOrders(query: OrderQuery): VenueOrder[] {
    const symbols = query.symbols ? new Set(query.symbols) : null;
    const matches = [...this.orders.values()].filter((order) => {
      if (query.nested && order.parentId !== null) return false;
      const terminal = TERMINAL_STATUSES.has(order.status);
      if (query.status === "open" && terminal) return false;
      if (query.status === "closed" && !terminal) return false;
      if (symbols && !symbols.has(order.symbol)) return false;
      if (query.side && order.side !== query.side) return false;
      if (query.after !== undefined && order.submittedAt <= query.after) return false;
      if (query.until !== undefined && order.submittedAt >= query.until) return false;
      return true;
    });
    matches.sort((a, b) => a.submittedAt - b.submittedAt || a.createdAt - b.createdAt || this.seqOf(a) - this.seqOf(b));
    if (query.direction === "desc") matches.reverse();
    return matches.slice(0, query.limit);
  }

  fills(): readonly VenueFill[] {
    return this.fillLog;
  }

  positions() {
    return this.ledger.positions();
  }

  position(symbol: string) {
    return this.ledger.position(symbol);
  }

  /** Shares of a position not yet promised to open exit orders (Alpaca's `qty_available`). */
  availableQty(symbol: string): number {
    const qty = this.ledger.qty(symbol);
    return Math.max(0, Math.abs(qty) - this.reservedQty(symbol, qty > 0 ? "sell" : "buy"));
  }

  account(now: number): AccountState {
    let longMarketValue = 0;
    let shortMarketValue = 0;
    for (const position of this.ledger.positions()) {
      const value = position.qty * this.priceTicks(position.symbol, now, position.costBasis / position.qty);
      if (position.qty > 0) longMarketValue += value;
      else shortMarketValue += value;
    }
    const equity = this.ledger.cash + longMarketValue + shortMarketValue;
    const multiplier = equity >= PDT_EQUITY_TICKS ? 4 : 1;
    const gross = longMarketValue - shortMarketValue;
    const buyingPower = Math.max(0, multiplier * equity - gross - this.openingOrderNotional(now));
    return { cash: this.ledger.cash, equity, lastEquity: this.lastEquity, longMarketValue, shortMarketValue, buyingPower, multiplier };
  }

  /** The current trade price in ticks (falling back when the market has none, e.g. unknown history). */
  priceTicks(symbol: string, at: number, fallback = 0): number {
    const price = this.market.priceAt(symbol, at);
    return price === null ? fallback : toTicks(price);
  }

  // ---- commands ----

  submit(request: OrderSubmission, now: number): VenueOrder {
    this.advance(now);
    checkOrderShape(request);
    const asset = this.market.asset(request.symbol);
    if (!asset) throw invalid(`asset "${request.symbol}" not found`);
    if (!asset.tradable) throw invalid(`asset ${request.symbol} is not tradable`);
    if (request.clientOrderId !== null && this.byClientId.has(request.clientOrderId)) throw invalid("client_order_id must be unique");
    const price = this.priceTicks(request.symbol, now);
    if (price <= 0) throw invalid(`no market price for ${request.symbol} at this time`);
    // An OCO's limit is its own take-profit, so its exits are judged against the market.
    if (request.orderClass !== "simple") checkExitPrices(request, request.orderClass === "oco" ? price : request.limitPrice ?? price);
    const positionQty = this.ledger.qty(request.symbol);
    checkQuantityAvailable(request.side, request.qty, positionQty, this.reservedQty(request.symbol, request.side), asset);
    if (!reducesPosition(request.side, positionQty)) {
      const spread = toTicks(this.market.spread(request.symbol, price / 10_000));
      const estimate = request.qty * (request.limitPrice ?? price + spread);
      if (estimate > this.account(now).buyingPower) throw new VenueRejection(403, ALPACA_CODES.forbidden, "insufficient buying power");
    }

    const parent = this.createOrder(request, asset.id, now, {
      type: request.type,
      side: request.side,
      limitPrice: request.orderClass === "oco" ? request.takeProfit!.limitPrice : request.limitPrice,
      stopPrice: request.stopPrice,
      parentId: null,
    });
    if (request.orderClass !== "simple") this.createLegs(parent, request, asset.id, now);
    this.schedule(parent, now);
    return parent;
  }

  cancel(id: string, now: number): VenueOrder {
    this.advance(now);
    const order = this.orders.get(id);
    if (!order) throw notFound("order not found");
    if (TERMINAL_STATUSES.has(order.status)) throw new VenueRejection(422, ALPACA_CODES.notCancelable, `order is not cancelable: it is ${order.status}`);
    this.finish(order, "canceled", now);
    return order;
  }

  /** Cancels every open order, parents first (their held legs go with them). */
  cancelAll(now: number): VenueOrder[] {
    this.advance(now);
    const open = [...this.orders.values()].filter((o) => !TERMINAL_STATUSES.has(o.status));
    open.sort((a, b) => Number(a.parentId !== null) - Number(b.parentId !== null));
    const canceled: VenueOrder[] = [];
    for (const order of open) {
      if (TERMINAL_STATUSES.has(order.status)) continue;
      this.finish(order, "canceled", now);
      canceled.push(order);
    }
    return canceled;
  }

  replace(id: string, changes: OrderChanges, now: number): VenueOrder {
    this.advance(now);
    const old = this.orders.get(id);
    if (!old) throw notFound("order not found");
    if (TERMINAL_STATUSES.has(old.status)) throw invalid(`order is not replaceable: it is ${old.status}`);
    if (old.filledQty > 0) throw invalid("order is partially filled; cancel it instead of replacing it");
    if (changes.clientOrderId !== undefined && this.byClientId.has(changes.clientOrderId)) throw invalid("client_order_id must be unique");
    const next: OrderSubmission = {
      symbol: old.symbol,
      qty: changes.qty ?? old.qty,
      side: old.side,
      type: old.type,
      timeInForce: changes.timeInForce ?? old.timeInForce,
      orderClass: "simple",
      limitPrice: changes.limitPrice ?? old.limitPrice,
      stopPrice: changes.stopPrice ?? old.stopPrice,
      extendedHours: old.extendedHours,
      clientOrderId: changes.clientOrderId ?? null,
      takeProfit: null,
      stopLoss: null,
    };
    checkOrderShape(next);
    const replacement = this.createOrder(next, old.assetId, now, {
      type: old.type,
      side: old.side,
      limitPrice: next.limitPrice,
      stopPrice: next.stopPrice,
      parentId: old.parentId,
    });
    replacement.orderClass = old.orderClass;
    replacement.replaces = old.id;
    replacement.siblingId = old.siblingId;
    replacement.legIds = old.legIds;
    for (const legId of old.legIds) this.orders.get(legId)!.parentId = replacement.id;
    if (old.siblingId) this.orders.get(old.siblingId)!.siblingId = replacement.id;
    if (old.parentId) {
      const parent = this.orders.get(old.parentId)!;
      parent.legIds = parent.legIds.map((legId) => (legId === old.id ? replacement.id : legId));
    }
    old.status = "replaced";
    old.replacedBy = replacement.id;
    old.replacedAt = old.updatedAt = now;
    old.legIds = [];
    this.emit({ event: "replaced", at: now, order: old });
    if (old.activeFrom === null) {
      replacement.status = "held";
    } else {
      this.schedule(replacement, now);
    }
    return replacement;
  }

  /** Closes (part of) a position with a market order, as DELETE /v2/positions/{symbol} does. */
  closePosition(symbol: string, qty: number | null, now: number): VenueOrder {
    this.advance(now);
    const position = this.ledger.position(symbol);
    if (!position) throw notFound("position does not exist");
    const size = qty ?? Math.abs(position.qty);
    return this.submit(
      {
        symbol,
        qty: size,
        side: position.qty > 0 ? "sell" : "buy",
        type: "market",
        timeInForce: "day",
        orderClass: "simple",
        limitPrice: null,
        stopPrice: null,
        extendedHours: false,
        clientOrderId: null,
        takeProfit: null,
        stopLoss: null,
      },
      now,
    );
  }

  /** The venue turns down an order it had accepted (a `rejected` event follows, as from a real exchange). */
  reject(id: string, now: number): void {
    const order = this.orders.get(id);
    if (!order || TERMINAL_STATUSES.has(order.status)) return;
    order.status = "rejected";
    order.failedAt = order.updatedAt = now;
    order.expiresAt = null;
    this.emit({ event: "rejected", at: now, order });
    for (const leg of this.legsOf(order)) if (!TERMINAL_STATUSES.has(leg.status)) this.finish(leg, "canceled", now);
  }

  /** The "position vanishes" fault: the broker forgets a position without any trade. */
  vanishPosition(symbol: string): boolean {
    return this.ledger.remove(symbol);
  }

  /**
   * Moves the exchange to `now`: orders start working, market orders execute, resting orders meet
   * each completed minute bar, day orders expire at the close. Idempotent for a past `now`.
   */
  advance(now: number): void {
    let t = this.processedUntil;
    while (t < now) {
      const minuteStart = Math.floor(t / MINUTE) * MINUTE;
      const minuteEnd = minuteStart + MINUTE;
      const stepEnd = Math.min(minuteEnd, now);
      if (minuteEnd <= now) this.pruneMinuteUse(minuteStart);
      for (const order of this.workingOrders()) {
        if (order.activeFrom === null) continue;
        if (order.status === "accepted" && order.activeFrom < stepEnd) {
          order.status = "new";
          order.updatedAt = order.activeFrom;
          this.emit({ event: "new", at: order.activeFrom, order });
        }
        const firstTrade = order.activeFrom + NEXT_TRADE_DELAY_MS;
        if (firstTrade >= t && firstTrade < stepEnd) this.executeImmediately(order, firstTrade);
      }
      if (minuteEnd <= now) {
        for (const order of this.workingOrders()) {
          if (order.activeFrom !== null && order.activeFrom + NEXT_TRADE_DELAY_MS < minuteStart && !TERMINAL_STATUSES.has(order.status)) {
            this.executeAgainstBar(order, minuteStart);
          }
        }
      }
      for (const order of this.workingOrders()) {
        if (order.expiresAt !== null && order.expiresAt > t && order.expiresAt <= stepEnd) this.finish(order, "expired", order.expiresAt);
      }
      this.recordCloseEquity(t, stepEnd);
      t = stepEnd;
    }
    this.processedUntil = Math.max(this.processedUntil, now);
  }

  // ---- internals ----

  private seqOf(order: VenueOrder): number {
    return this.orderSeqs.get(order.id) ?? 0;
  }

  private createOrder(
    request: OrderSubmission,
    assetId: string,
    now: number,
    shape: Pick<VenueOrder, "type" | "side" | "limitPrice" | "stopPrice" | "parentId">,
  ): VenueOrder {
    const seq = ++this.orderSeq;
    const id = deterministicUuid(this.options.seed, `order:${this.runId}`, seq);
    const order: VenueOrder = {
      id,
      clientOrderId: request.clientOrderId ?? deterministicUuid(this.options.seed, `client-order:${this.runId}`, seq),
      symbol: request.symbol,
      assetId,
      side: shape.side,
      type: shape.type,
      timeInForce: request.timeInForce,
      orderClass: request.orderClass,
      qty: request.qty,
      filledQty: 0,
      filledNotional: 0,
      limitPrice: shape.limitPrice,
      stopPrice: shape.stopPrice,
      extendedHours: request.extendedHours,
      status: "accepted",
      parentId: shape.parentId,
      legIds: [],
      siblingId: null,
      replaces: null,
      replacedBy: null,
      triggered: false,
      createdAt: now,
      updatedAt: now,
      submittedAt: now,
      activeFrom: null,
      filledAt: null,
      canceledAt: null,
      expiredAt: null,
      failedAt: null,
      replacedAt: null,
      expiresAt: null,
    };
    this.orders.set(id, order);
    this.orderSeqs.set(id, seq);
    this.byClientId.set(order.clientOrderId, order);
    return order;
  }

  /** Bracket/OTO legs wait (held) for the entry; OCO's stop leg is live at once beside its limit. */
  private createLegs(parent: VenueOrder, request: OrderSubmission, assetId: string, now: number): void {
    const exitSide: Side = request.orderClass === "oco" ? request.side : request.side === "buy" ? "sell" : "buy";
    const legRequest = { ...request, clientOrderId: null, extendedHours: false };
    const legs: VenueOrder[] = [];
    if (request.takeProfit && request.orderClass !== "oco") {
      legs.push(
        this.createOrder(legRequest, assetId, now, { type: "limit", side: exitSide, limitPrice: request.takeProfit.limitPrice, stopPrice: null, parentId: parent.id }),
      );
    }
    if (request.stopLoss) {
      const { stopPrice, limitPrice } = request.stopLoss;
      legs.push(
        this.createOrder(legRequest, assetId, now, {
          type: limitPrice === null ? "stop" : "stop_limit",
          side: exitSide,
          limitPrice,
          stopPrice,
          parentId: parent.id,
        }),
      );
    }
    parent.legIds = legs.map((leg) => leg.id);
    if (request.orderClass === "oco") {
      const stopLeg = legs[0]!;
      parent.siblingId = stopLeg.id;
      stopLeg.siblingId = parent.id;
      this.schedule(stopLeg, now);
      return;
    }
    for (const leg of legs) leg.status = "held";
    if (legs.length === 2) {
      legs[0]!.siblingId = legs[1]!.id;
      legs[1]!.siblingId = legs[0]!.id;
    }
  }

  /** Sets when an order starts working: now if its session is open, else at the next one. */
  private schedule(order: VenueOrder, now: number): void {
    const window = this.tradingWindow(order, now);
    order.activeFrom = window.start;
    order.expiresAt = order.timeInForce === "gtc" ? null : window.end;
    if (window.start <= now) {
      order.status = "new";
      this.emit({ event: "new", at: now, order });
    } else {
      order.status = "accepted";
    }
  }

  private tradingWindow(order: VenueOrder, now: number): { start: number; end: number } {
    const bounds = (s: TradingSession) =>
      order.extendedHours ? { start: s.preOpen, end: s.postClose } : { start: s.open, end: s.close };
    const today = session(etDate(now));
    if (today) {
      const window = bounds(today);
      if (now < window.end) return { start: Math.max(now, window.start), end: window.end };
    }
    const next = session(nextTradingDay(etDate(now)))!;
    return bounds(next);
  }

  private workingOrders(): VenueOrder[] {
    const working: VenueOrder[] = [];
    for (const order of this.orders.values()) {
      if (!TERMINAL_STATUSES.has(order.status) && order.status !== "held") working.push(order);
    }
    // Stops before limits: within one bar the protective stop is assumed to hit first.
    working.sort((a, b) => stopRank(a) - stopRank(b) || this.seqOf(a) - this.seqOf(b));
    return working;
  }

  private liquidityLeft(order: VenueOrder, minuteStart: number, barVolume: number): number {
    return minuteLiquidity(barVolume) - (this.minuteUse.get(`${order.id}:${minuteStart}`) ?? 0);
  }

  private pruneMinuteUse(currentMinute: number): void {
    for (const key of this.minuteUse.keys()) {
      if (Number(key.slice(key.indexOf(":") + 1)) < currentMinute) this.minuteUse.delete(key);
    }
  }

  private barTicks(symbol: string, minuteStart: number): BarTicks | null {
    const bar = this.market.minuteBar(symbol, minuteStart);
    return bar ? { o: toTicks(bar.o), h: toTicks(bar.h), l: toTicks(bar.l), c: toTicks(bar.c), v: bar.v } : null;
  }

  private spreadTicks(symbol: string, priceTicks: number): number {
    return toTicks(this.market.spread(symbol, priceTicks / 10_000));
  }

  /** An order's first execution chance, at the next trade after it starts working. */
  private executeImmediately(order: VenueOrder, at: number): void {
    const minuteStart = Math.floor(at / MINUTE) * MINUTE;
    const bar = this.barTicks(order.symbol, minuteStart);
    const trade = this.priceTicks(order.symbol, at);
    const remaining = order.qty - order.filledQty;
    const liquidity = bar ? this.liquidityLeft(order, minuteStart, bar.v) : 0;
    const exec = marketExecutionPrice(order.side, trade, this.spreadTicks(order.symbol, trade), Math.min(remaining, Math.max(liquidity, 1)), liquidity);
    let executable = false;
    if (order.type === "market") executable = true;
    else if (order.type === "limit") executable = withinLimit(order.side, exec, order.limitPrice!);
    else if (stopCrossed(order.side, order.stopPrice!, trade)) {
      order.triggered = true;
      executable = order.type === "stop" || withinLimit(order.side, exec, order.limitPrice!);
    }
    if (order.timeInForce === "fok" && (!executable || liquidity < remaining)) {
      this.finish(order, "canceled", at);
      return;
    }
    if (executable && liquidity > 0 && trade > 0) this.fill(order, Math.min(remaining, liquidity), exec, at, minuteStart);
    if (order.timeInForce === "ioc" && !TERMINAL_STATUSES.has(order.status)) this.finish(order, "canceled", at);
  }

  /** A resting order meets one completed minute bar. */
  private executeAgainstBar(order: VenueOrder, minuteStart: number): void {
    if (!this.inTradingHours(order, minuteStart)) return;
    const bar = this.barTicks(order.symbol, minuteStart);
    if (!bar) return;
    const liquidity = this.liquidityLeft(order, minuteStart, bar.v);
    if (liquidity <= 0) return;
    const remaining = order.qty - order.filledQty;
    const qty = Math.min(remaining, liquidity);
    const at = minuteStart + MINUTE - 1;
    const spread = this.spreadTicks(order.symbol, bar.o);
    let price: number | null = null;
    const isStopType = order.type === "stop" || order.type === "stop_limit";
    if (order.type === "market" || (order.type === "stop" && order.triggered)) {
      price = marketExecutionPrice(order.side, bar.o, spread, qty, liquidity);
    } else if (order.type === "limit" || (order.type === "stop_limit" && order.triggered)) {
      price = limitTouch(order.side, order.limitPrice!, bar);
    } else if (isStopType) {
      const trigger = stopTrigger(order.side, order.stopPrice!, bar);
      if (trigger === null) return;
      order.triggered = true;
      if (order.type === "stop") price = marketExecutionPrice(order.side, trigger, spread, qty, liquidity);
      else price = withinLimit(order.side, trigger, order.limitPrice!) ? trigger : limitTouch(order.side, order.limitPrice!, bar);
    }
    if (price !== null) this.fill(order, qty, price, at, minuteStart);
  }

  private inTradingHours(order: VenueOrder, minuteStart: number): boolean {
    const day = session(etDate(minuteStart));
    if (!day) return false;
    return order.extendedHours ? minuteStart >= day.preOpen && minuteStart < day.postClose : minuteStart >= day.open && minuteStart < day.close;
  }

  private fill(order: VenueOrder, wanted: number, price: number, at: number, minuteStart: number): void {
    const remaining = order.qty - order.filledQty;
    let qty = wanted;
    if (qty === remaining && remaining >= 2 && this.forcedPartialFills > 0) {
      this.forcedPartialFills--;
      qty = Math.floor(remaining / 2);
    }
    const key = `${order.id}:${minuteStart}`;
    this.minuteUse.set(key, (this.minuteUse.get(key) ?? 0) + qty);
    order.filledQty += qty;
    order.filledNotional += qty * price;
    order.updatedAt = at;
    const complete = order.filledQty === order.qty;
    order.status = complete ? "filled" : "partially_filled";
    if (complete) {
      order.filledAt = at;
      order.expiresAt = null;
    }
    const positionQty = this.ledger.applyFill(order.symbol, order.assetId, order.side, qty, price);
    const fill: VenueFill = {
      id: deterministicUuid(this.options.seed, `fill:${this.runId}`, ++this.fillSeq),
      orderId: order.id,
      symbol: order.symbol,
      side: order.side,
      qty,
      price,
      at,
      cumQty: order.filledQty,
      leavesQty: order.qty - order.filledQty,
      final: complete,
    };
    this.fillLog.push(fill);
    this.emit({ event: complete ? "fill" : "partial_fill", at, order, fill, positionQty });
    const sibling = order.siblingId ? this.orders.get(order.siblingId) : undefined;
    if (sibling && !TERMINAL_STATUSES.has(sibling.status)) this.finish(sibling, "canceled", at);
    if (complete) this.releaseLegs(order, at);
  }

  /** Bracket/OTO legs go live once the entry is done, for the quantity it actually filled. */
  private releaseLegs(parent: VenueOrder, at: number): void {
    if (parent.orderClass === "oco") return;
    for (const leg of this.legsOf(parent)) {
      if (leg.status !== "held") continue;
      if (parent.filledQty === 0) {
        this.finish(leg, "canceled", at);
        continue;
      }
      leg.qty = parent.filledQty;
      this.schedule(leg, at);
    }
  }

  private finish(order: VenueOrder, status: "canceled" | "expired", at: number): void {
    order.status = status;
    order.updatedAt = at;
    if (status === "canceled") order.canceledAt = at;
    else order.expiredAt = at;
    this.emit({ event: status, at, order });
    if (order.parentId === null && order.orderClass !== "oco") this.releaseLegs(order, at);
    if (order.orderClass === "oco" && order.parentId === null) {
      const sibling = order.siblingId ? this.orders.get(order.siblingId) : undefined;
      if (sibling && !TERMINAL_STATUSES.has(sibling.status)) this.finish(sibling, status, at);
    }
  }

  /** Shares of a position already promised to open orders that reduce it (an OCO pair counts once). */
  private reservedQty(symbol: string, side: Side): number {
    let reserved = 0;
    const counted = new Set<string>();
    for (const order of this.orders.values()) {
      if (order.symbol !== symbol || order.side !== side || TERMINAL_STATUSES.has(order.status) || order.status === "held") continue;
      if (order.siblingId && counted.has(order.siblingId)) continue;
      counted.add(order.id);
      reserved += order.qty - order.filledQty;
    }
    return reserved;
  }

  /** Notional that open position-opening orders would use, held against buying power. */
  private openingOrderNotional(now: number): number {
    let total = 0;
    for (const order of this.orders.values()) {
      if (TERMINAL_STATUSES.has(order.status) || order.status === "held" || order.parentId !== null) continue;
      if (reducesPosition(order.side, this.ledger.qty(order.symbol))) continue;
      total += (order.qty - order.filledQty) * (order.limitPrice ?? this.priceTicks(order.symbol, now));
    }
    return total;
  }

  /** Remembers equity at each regular close: tomorrow's `last_equity`. */
  private recordCloseEquity(from: number, to: number): void {
    const day = session(etDate(from));
    if (day && day.close > from && day.close <= to) this.lastEquity = this.account(day.close).equity;
  }

  private emit(event: TradeEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function stopRank(order: VenueOrder): number {
  return order.type === "stop" || order.type === "stop_limit" ? 0 : 1;
}
