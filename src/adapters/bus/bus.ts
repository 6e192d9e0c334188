import type { BusChannel, BusMessage } from "../../contracts/bus.ts";
import { createLogger } from "../../runtime/log.ts";

/** Failures only: the logger every service passes is not at hand where messages are delivered. */
const log = createLogger("bus", "warn");

export type BusKind = "redis" | "in-process";

export interface BusHealth {
  ok: boolean;
  kind: BusKind;
  latencyMs?: number;
  detail?: string;
}

export type BusHandler = (message: BusMessage) => void;

/**
 * Pub/sub on the five channels. When the backing store is down, publish resolves false: callers
 * keep working on the database. (No shared cache: every cached thing has one owner, which keeps it
 * in its own worker — technical's indicators by symbol, timeframe and last bar; see the README.)
 */
export interface Bus {
  readonly kind: BusKind;
  publish(channel: BusChannel, payload: unknown): Promise<boolean>;
  subscribe(channel: BusChannel, handler: BusHandler): () => void;
  /** The connection state as last seen (no round trip). */
  health(): BusHealth;
  /** A real round trip where there is a server (Redis PING); the state otherwise. */
  check(): Promise<BusHealth>;
  close(): Promise<void>;
}

export function envelope(channel: BusChannel, source: string, payload: unknown): BusMessage {
  return { version: 1, channel, publishedAt: new Date().toISOString(), source, payload };
}

/** Local fan-out of delivered messages to this thread's subscribers. */
export class Subscribers {
  private readonly handlers = new Map<BusChannel, Set<BusHandler>>();

  add(channel: BusChannel, handler: BusHandler): () => void {
    let set = this.handlers.get(channel);
    if (!set) this.handlers.set(channel, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  channels(): BusChannel[] {
    return [...this.handlers.keys()];
  }

  deliver(message: BusMessage): void {
    for (const handler of this.handlers.get(message.channel) ?? []) {
      try {
        handler(message);
      } catch (error) {
        // One faulty subscriber must not stop delivery to the others.
        log.error("a bus subscriber threw", { channel: message.channel, error: (error as Error).message });
      }
    }
  }
}
