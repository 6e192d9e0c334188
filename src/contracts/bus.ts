/**
 * The bus channels of SPEC §4 and the envelope every message travels in. cycle_update and
 * doctor_issues beside them tell live MCP sessions that trading-cycle://current and doctor://issues changed.
 */
export const BUS_CHANNELS = [
  "scan_complete",
  "position_update",
  "risk_alert",
  "order_filled",
  "news_catalyst",
  "cycle_update",
  "doctor_issues",
] as const;

export type BusChannel = (typeof BUS_CHANNELS)[number];

export const BUS_MESSAGE_VERSION = 1;

export interface BusMessage<T = unknown> {
  version: typeof BUS_MESSAGE_VERSION;
  channel: BusChannel;
  publishedAt: string;
  /** Which service published it, so a subscriber can tell its own echoes apart. */
  source: string;
  payload: T;
}

export function isBusChannel(value: string): value is BusChannel {
  return (BUS_CHANNELS as readonly string[]).includes(value);
}

/** Parses a message from the wire; anything malformed or of another version is refused. */
export function parseBusMessage(raw: string): BusMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const m = value as Partial<BusMessage>;
  if (m.version !== BUS_MESSAGE_VERSION || typeof m.channel !== "string" || !isBusChannel(m.channel)) return null;
  if (typeof m.publishedAt !== "string" || typeof m.source !== "string" || !("payload" in m)) return null;
  return m as BusMessage;
}

/** A position's mark at the broker's current price (each sync writes them). */
export interface PositionMark {
  positionId: number;
  symbol: string;
  lastPrice: string;
  markedAt: string;
}

/** The payload of `catalyst:position_update`: a fill changed the position, or a sync marked it. */
export type PositionUpdate =
  | { positionId: number; change: "opened" | "increased" | "reduced" | "closed"; orderId: number }
  | ({ change: "marked" } & PositionMark);
