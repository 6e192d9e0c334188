/** The simulated exchange's own records. Prices are integer ticks of $0.0001 and quantities whole shares, so no float decides a fill. */

export type Side = "buy" | "sell";
export type OrderType = "market" | "limit" | "stop" | "stop_limit";
export type TimeInForce = "day" | "gtc" | "ioc" | "fok";
export type OrderClass = "simple" | "bracket" | "oco" | "oto";
/** Alpaca's status words; the venue answers in them exactly. */
export type VenueStatus =
  | "accepted"
  | "new"
  | "held"
  | "partially_filled"
  | "filled"
  | "canceled"
  | "expired"
  | "replaced"
  | "rejected";

export const TERMINAL_STATUSES: ReadonlySet<VenueStatus> = new Set(["filled", "canceled", "expired", "replaced", "rejected"]);

/** One order as the exchange keeps it. Times are epoch ms of the simulated clock. */
export interface VenueOrder {
  id: string;
  clientOrderId: string;
  symbol: string;
  assetId: string;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  orderClass: OrderClass;
  qty: number;
  filledQty: number;
  /** Sum of qty × price of the fills, in ticks, so the average is exact. */
  filledNotional: number;
  limitPrice: number | null;
  stopPrice: number | null;
  extendedHours: boolean;
  status: VenueStatus;
  parentId: string | null;
  legIds: string[];
  /** The other half of an OCO pair (bracket/oco legs): a fill on one cancels this one. */
  siblingId: string | null;
  replaces: string | null;
  replacedBy: string | null;
  /** A stop_limit whose stop has been hit works as a limit from then on. */
  triggered: boolean;
  createdAt: number;
  updatedAt: number;
  submittedAt: number;
  /** When the order starts working (its first execution chance); null while held. */
  activeFrom: number | null;
  filledAt: number | null;
  canceledAt: number | null;
  expiredAt: number | null;
  failedAt: number | null;
  replacedAt: number | null;
  /** Day orders expire at this instant (regular close, or 20:00 ET with extended hours). */
  expiresAt: number | null;
}

export interface VenueFill {
  id: string;
  orderId: string;
  symbol: string;
  side: Side;
  qty: number;
  price: number;
  at: number;
  cumQty: number;
  leavesQty: number;
  /** true when this fill completed the order. */
  final: boolean;
}

export interface VenuePosition {
  symbol: string;
  assetId: string;
  /** Signed: long > 0, short < 0. */
  qty: number;
  /** Entry cost of the open quantity in ticks (signed like qty). */
  costBasis: number;
}

export type TradeEventKind = "new" | "fill" | "partial_fill" | "canceled" | "expired" | "replaced" | "rejected";

export interface TradeEvent {
  event: TradeEventKind;
  at: number;
  order: VenueOrder;
  fill?: VenueFill;
  positionQty?: number;
}

/** A submission the HTTP layer has already type-checked; the exchange checks the trading rules. */
export interface OrderSubmission {
  symbol: string;
  qty: number;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  orderClass: OrderClass;
  limitPrice: number | null;
  stopPrice: number | null;
  extendedHours: boolean;
  clientOrderId: string | null;
  takeProfit: { limitPrice: number } | null;
  stopLoss: { stopPrice: number; limitPrice: number | null } | null;
}

export interface OrderChanges {
  qty?: number;
  timeInForce?: TimeInForce;
  limitPrice?: number;
  stopPrice?: number;
  clientOrderId?: string;
}

/** A refusal in Alpaca's terms: the HTTP status and error code it would answer with. */
export class VenueRejection extends Error {
  constructor(
    readonly status: 403 | 404 | 422,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "VenueRejection";
  }
}

export const ALPACA_CODES = {
  invalid: 40010001,
  forbidden: 40310000,
  notFound: 40410000,
  notCancelable: 42210000,
} as const;

export function invalid(message: string): VenueRejection {
  return new VenueRejection(422, ALPACA_CODES.invalid, message);
}

export function forbidden(message: string): VenueRejection {
  return new VenueRejection(403, ALPACA_CODES.forbidden, message);
}

export function notFound(message: string): VenueRejection {
  return new VenueRejection(404, ALPACA_CODES.notFound, message);
}
