/**
 * The in-process bus: a hub on the main thread relays messages between the service workers.
 * Workers talk to it by message; the main thread through a local link.
 */
import type { BusChannel, BusMessage } from "../../contracts/bus.ts";
import { envelope, Subscribers, type Bus, type BusHandler, type BusHealth } from "./bus.ts";

export type HubRequest = { bus: "publish"; message: BusMessage };

export type HubEvent = { bus: "deliver"; message: BusMessage };

export type HubLink = (event: HubEvent) => void;

export class InProcessBusHub {
  private readonly links = new Set<HubLink>();

  attach(link: HubLink): () => void {
    this.links.add(link);
    return () => this.links.delete(link);
  }

  handle(request: HubRequest): void {
    for (const link of this.links) link({ bus: "deliver", message: request.message });
  }

  /** A bus for code running on the main thread itself. */
  connectLocal(source: string): InProcessBus {
    const bus: InProcessBus = new InProcessBus(source, (request) => this.handle(request));
    this.attach((event) => bus.receive(event));
    return bus;
  }
}

/** One thread's view of the in-process bus. */
export class InProcessBus implements Bus {
  readonly kind = "in-process" as const;
  private readonly subscribers = new Subscribers();
  private closed = false;

  constructor(
    private readonly source: string,
    private readonly send: (request: HubRequest) => void,
  ) {}

  receive(event: HubEvent): void {
    this.subscribers.deliver(event.message);
  }

  async publish(channel: BusChannel, payload: unknown): Promise<boolean> {
    if (this.closed) return false;
    this.send({ bus: "publish", message: envelope(channel, this.source, payload) });
    return true;
  }

  subscribe(channel: BusChannel, handler: BusHandler): () => void {
    return this.subscribers.add(channel, handler);
  }

  health(): BusHealth {
    return { ok: !this.closed, kind: this.kind };
  }

  async check(): Promise<BusHealth> {
    return this.health();
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
