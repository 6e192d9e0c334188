/**
 * The bus on Redis (ioredis). Redis down → degraded: publishes report false, and
 * a message that could not go out is handed to `undelivered` (the appliance relays it to its own
 * process's subscribers, so alerts still reach the notifier on this host).
 */
import { Redis } from "ioredis";
import { isBusChannel, parseBusMessage, type BusChannel, type BusMessage } from "../../contracts/bus.ts";
import { withDeadline } from "../../runtime/deadline.ts";
import { envelope, Subscribers, type Bus, type BusHandler, type BusHealth } from "./bus.ts";

const PING_DEADLINE_MS = 2000;

const options = {
  // Fail fast instead of queueing while Redis is away; callers fall back to the database.
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 2000,
  // Keep trying to come back, never more than 2 s apart.
  retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
  lazyConnect: true,
};

export class RedisBus implements Bus {
  readonly kind = "redis" as const;
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly subscribers = new Subscribers();
  private lastError: string | null = null;

  constructor(
    url: string,
    private readonly namespace: string,
    private readonly source: string,
    private readonly undelivered: ((message: BusMessage) => void) | null = null,
  ) {
    this.commands = new Redis(url, options);
    this.subscriber = new Redis(url, { ...options, autoResubscribe: false });
    for (const connection of [this.commands, this.subscriber]) {
      connection.on("error", (error: Error) => {
        this.lastError = error.message;
      });
      connection.on("ready", () => {
        this.lastError = null;
      });
    }
    // (Re)subscribe every wanted channel whenever the subscriber connection becomes ready.
    this.subscriber.on("ready", () => this.resubscribe());
    this.subscriber.on("message", (channel: string, raw: string) => {
      const message = parseBusMessage(raw);
      if (message && channel === this.channelKey(message.channel)) this.subscribers.deliver(message);
    });
  }

  /** Connects both connections; resolves false (degraded, still retrying) if Redis is down. */
  async connect(): Promise<boolean> {
    const results = await Promise.allSettled([this.commands.connect(), this.subscriber.connect()]);
    return results.every((r) => r.status === "fulfilled");
  }

  async publish(channel: BusChannel, payload: unknown): Promise<boolean> {
    const message = envelope(channel, this.source, payload);
    try {
      await this.commands.publish(this.channelKey(channel), JSON.stringify(message));
      return true;
    } catch (error) {
      this.lastError = (error as Error).message;
      this.undelivered?.(message);
      return false;
    }
  }

  subscribe(channel: BusChannel, handler: BusHandler): () => void {
    if (!isBusChannel(channel)) throw new Error(`unknown bus channel ${channel}`);
    const unsubscribe = this.subscribers.add(channel, handler);
    if (this.subscriber.status === "ready") this.resubscribe();
    return unsubscribe;
  }

  health(): BusHealth {
    const ok = this.commands.status === "ready" && this.subscriber.status === "ready";
    if (ok) return { ok, kind: this.kind };
    return { ok, kind: this.kind, detail: `redis ${this.commands.status}${this.lastError ? `: ${this.lastError}` : ""}` };
  }

  /** PING on the command connection (it fails at once while Redis is away: no offline queue), plus the subscriber's state. */
  async check(): Promise<BusHealth> {
    const started = performance.now();
    try {
      await withDeadline(this.commands.ping(), PING_DEADLINE_MS, "redis PING");
    } catch (error) {
      return { ok: false, kind: this.kind, latencyMs: Math.round(performance.now() - started), detail: `redis PING failed: ${(error as Error).message}` };
    }
    const latencyMs = Math.round(performance.now() - started);
    if (this.subscriber.status !== "ready") return { ok: false, kind: this.kind, latencyMs, detail: `redis answers PING but the subscriber connection is ${this.subscriber.status}: bus messages are not received` };
    return { ok: true, kind: this.kind, latencyMs };
  }

  async close(): Promise<void> {
    this.commands.disconnect();
    this.subscriber.disconnect();
  }

  private resubscribe(): void {
    const channels = this.subscribers.channels().map((c) => this.channelKey(c));
    if (channels.length > 0) this.subscriber.subscribe(...channels).catch(() => undefined);
  }

  private channelKey(channel: BusChannel): string {
    return `${this.namespace}:${channel}`;
  }
}
