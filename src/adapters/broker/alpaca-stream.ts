/**
 * The trade_updates stream through the SDK's TradingStream: it authenticates, subscribes, pings,
 * and reconnects (re-subscribing) by itself until closed. Updates missed while disconnected are
 * not replayed by Alpaca: "listening" after a reconnect is the cue to poll orders.
 */
import { streaming } from "@alpacahq/alpaca-trade-api";
import { mapTradeUpdate } from "./alpaca-mapping.ts";
import type { StreamState, TradeUpdate, TradeUpdateStream } from "./broker.ts";

export interface TradeUpdateStreamOptions {
  url: string;
  keyId: string;
  secret: string;
  /** How long `ready` waits for the subscription to be confirmed. */
  readyTimeoutMs: number;
}

/** Reconnect backoff stops growing here: a trading day cannot wait minutes for its fills. */
const MAX_RECONNECT_DELAY_MS = 30_000;

const STATES: Partial<Record<streaming.STATE, StreamState>> = {
  [streaming.STATE.CONNECTING]: "connecting",
  [streaming.STATE.AUTHENTICATED]: "authenticated",
  [streaming.STATE.WAITING_TO_RECONNECT]: "reconnecting",
  [streaming.STATE.DISCONNECTED]: "disconnected",
};

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function streamAlpacaTradeUpdates(
  options: TradeUpdateStreamOptions,
  onUpdate: (update: TradeUpdate) => void,
  onState: (state: StreamState, detail?: string) => void = () => undefined,
): TradeUpdateStream {
  const stream = new streaming.TradingStream({
    url: options.url,
    credentials: { keyId: options.keyId, secret: options.secret },
    maxReconnectAttempts: streaming.UNLIMITED_RECONNECT_ATTEMPTS,
    maxReconnectMs: MAX_RECONNECT_DELAY_MS,
  });

  let settleReady: (ok: boolean) => void = () => undefined;
  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), options.readyTimeoutMs);
    settleReady = (ok) => {
      clearTimeout(timer);
      resolve(ok);
    };
  });

  stream.onStateChange((state) => {
    const mapped = STATES[state];
    if (mapped) onState(mapped);
  });
  stream.on(streaming.EVENT.SUBSCRIPTION, (streams: unknown) => {
    if (Array.isArray(streams) && streams.includes("trade_updates")) {
      onState("listening");
      settleReady(true);
    }
  });
  stream.onError((error) => onState("error", error));
  // Rejected credentials end the stream (the SDK does not retry them).
  void stream.whenAuthenticated().then((result) => {
    if (!result.authenticated) settleReady(false);
  });
  stream.onTradeUpdate((raw) => {
    let update: TradeUpdate;
    try {
      update = mapTradeUpdate(raw);
    } catch (error) {
      onState("error", `unreadable trade update (${message(error)}): poll the order to catch up`);
      return;
    }
    try {
      onUpdate(update);
    } catch (error) {
      // The SDK would swallow it silently; say so instead.
      onState("error", `the trade update handler threw on ${update.event} of order ${update.order.id}: ${message(error)}`);
    }
  });

  stream.subscribeTradeUpdates();
  stream.connect();
  return {
    ready,
    close() {
      settleReady(false);
      stream.disconnect();
    },
  };
}
