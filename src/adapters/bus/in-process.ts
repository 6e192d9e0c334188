/**
 * The in-process bus: a hub on the main thread relays messages between the service workers
 * and holds the shared cache. Workers talk to it by message; the main thread through a local link.
 */
import type { BusChannel, BusMessage } from "../../contracts/bus.ts";
import { envelope, Subscribers, type Bus, type BusHandler, type BusHealth } from "./bus.ts";

export type HubRequest =
  | { bus: "publish"; message: BusMessage }
  | { bus: "cache-get"; id: number; key: string }
  | { bus: "cache-set"; id: number; key: string; value: string; ttlSeconds: number };

export type HubEvent = { bus: "deliver"; message: BusMessage } | { bus: "cache-reply"; id: number; value: string | null };

export type HubLink = (event: HubEvent) => void;

const MAX_CACHE_ENTRIES = 10_000;

export class InProcessBusHub {
  private readonly links = new Set<HubLink>();
  private readonly cache = new Map<string, { value: string; expiresAt: number }>();

  attach(link: HubLink): () => void {
    this.links.add(link);
    return () => this.links.delete(link);
  }

  handle(from: HubLink, request: HubRequest): void {
    switch (request.bus) {
      case "publish":
        for (const link of this.links) link({ bus: "deliver", message: request.message });
        return;
      case "cache-get":
        from({ bus: "cache-reply", id: request.id, value: this.read(request.key) });
        return;
      case "cache-set":
        this.write(request.key, request.value, request.ttlSeconds);
        from({ bus: "cache-reply", id: request.id, value: null });
        return;
    }
  }

  /** A bus for code running on the main thread itself. */
  connectLocal(source: string): InProcessBus {
    const bus: InProcessBus = new InProcessBus(source, (request) => this.handle(link, request));
    const link: HubLink = (event) => bus.receive(event);
    this.attach(link);
    return bus;
  }

  private read(key: string): string | null {
    const entry = this.cache.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= Date.now()) {
      this.cache.delete(key);
      return null;
    }
    return entry.value;
  }

  private write(key: string, value: string, ttlSeconds: number): void {
    this.cache.delete(key);
    if (this.cache.size >= MAX_CACHE_ENTRIES) {
      // Maps iterate in insertion order: the first key is the least recently written.
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
  }
}

/** One thread's view of the in-process bus. */
export class InProcessBus implements Bus {
  readonly kind = "in-process" as const;
  private readonly subscribers = new Subscribers();
  private readonly pending = new Map<number, (value: string | null) => void>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly source: string,
    private readonly send: (request: HubRequest) => void,
  ) {}

  receive(event: HubEvent): void {
    if (event.bus === "deliver") {
      this.subscribers.deliver(event.message);
      return;
    }
    this.pending.get(event.id)?.(event.value);
    this.pending.delete(event.id);
  }

  async publish(channel: BusChannel, payload: unknown): Promise<boolean> {
    if (this.closed) return false;
    this.send({ bus: "publish", message: envelope(channel, this.source, payload) });
    return true;
  }

  subscribe(channel: BusChannel, handler: BusHandler): () => void {
    return this.subscribers.add(channel, handler);
  }

  async cacheGet<T>(key: string): Promise<T | null> {
    const raw = await this.request((id) => ({ bus: "cache-get", id, key }));
    return raw === null ? null : (JSON.parse(raw) as T);
  }

  async cacheSet(key: string, value: unknown, ttlSeconds: number): Promise<boolean> {
    if (this.closed) return false;
    await this.request((id) => ({ bus: "cache-set", id, key, value: JSON.stringify(value), ttlSeconds }));
    return true;
  }

  health(): BusHealth {
    return { ok: !this.closed, kind: this.kind };
  }

  async check(): Promise<BusHealth> {
    return this.health();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const resolve of this.pending.values()) resolve(null);
    this.pending.clear();
  }

  private request(build: (id: number) => HubRequest): Promise<string | null> {
    if (this.closed) return Promise.resolve(null);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send(build(id));
    });
  }
}
