/**
 * The cockpit's live updates as server-sent events at GET /events: bus messages (and a refresh
 * every few seconds, for marks and the clock) mark sections stale; stale sections are rendered
 * once for every open page and pushed as `section` events, each as soon as it is ready (a slow
 * source does not hold the others back). Each event names the bus message that caused it, so a
 * page can measure the delay from the message to its own update.
 */
import type { Bus } from "../../adapters/bus/bus.ts";
import { BUS_CHANNELS, type BusChannel } from "../../contracts/bus.ts";
import type { SafeHtml } from "./html.ts";
import { SECTION_IDS, type SectionId } from "./cockpit-sections.ts";

/** Which sections a message on each channel can change. */
const AFFECTS: Record<BusChannel, readonly SectionId[]> = {
  position_update: ["positions", "orders", "risk", "kill", "equity", "journal"],
  order_filled: ["positions", "orders", "risk", "equity", "journal"],
  risk_alert: ["kill", "risk", "now"],
  cycle_update: ["now"],
  doctor_issues: ["doctor"],
  scan_complete: ["now"],
  news_catalyst: [],
};
/** A position's new mark (a sync's position_update with change "marked") moves only its P&L and the risk figures. */
const MARKED: readonly SectionId[] = ["positions", "risk"];

function affected(channel: BusChannel, payload: unknown): readonly SectionId[] {
  const marked = channel === "position_update" && typeof payload === "object" && payload !== null && (payload as { change?: unknown }).change === "marked";
  return marked ? MARKED : AFFECTS[channel];
}

/** Marks move and the clock ticks without a message: these are refreshed on a timer while a page is open. */
const REFRESHED = SECTION_IDS.filter((id) => id !== "journal");
const REFRESH_MS = 5_000;
/** Messages that arrive together (a fill and its position update) are rendered once. */
const COALESCE_MS = 15;
/** Events queued for one page that is not reading. */
const MAX_QUEUED = 500;

interface Cause {
  channel: BusChannel | "refresh" | "reconnect";
  /** When the bus message was published (ISO), the earliest of a coalesced batch. */
  publishedAt: string;
}

export interface CockpitEvents {
  /** The SSE response for one page. */
  connect(request: Request): Response;
  /** Marks sections stale now (after the page's own actions). */
  touch(ids: readonly SectionId[]): void;
  clients(): number;
  close(): void;
}

export function createCockpitEvents(bus: Bus, render: (ids: readonly SectionId[]) => Map<SectionId, Promise<SafeHtml>>): CockpitEvents {
  const encoder = new TextEncoder();
  const streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const stale = new Set<SectionId>();
  let cause: Cause | null = null;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let sequence = 0;
  /** Per section, the number of the newest render started: an older one finishing later is dropped. */
  const newest = new Map<SectionId, number>();

  const send = (text: string) => {
    const bytes = encoder.encode(text);
    for (const stream of streams) {
      try {
        // A page that stopped reading is cut off rather than buffered without end; it reconnects and catches up.
        if ((stream.desiredSize ?? 0) < -MAX_QUEUED) {
          streams.delete(stream);
          stream.close();
        } else stream.enqueue(bytes);
      } catch {
        streams.delete(stream); // closed under us: the page went away
      }
    }
  };

  function flush(): void {
    flushTimer = null;
    const ids = [...stale];
    const why = cause;
    stale.clear();
    cause = null;
    if (streams.size === 0 || ids.length === 0) return;
    for (const [id, rendering] of render(ids)) {
      const number = ++sequence;
      newest.set(id, number);
      void rendering.then((markup) => {
        if (newest.get(id) !== number) return;
        send(`id: ${number}\nevent: section\ndata: ${JSON.stringify({ id, html: markup.text, cause: why! })}\n\n`);
      });
    }
  }

  function mark(ids: readonly SectionId[], why: Cause): void {
    if (streams.size === 0) return;
    for (const id of ids) stale.add(id);
    if (!cause || why.publishedAt < cause.publishedAt) cause = why;
    flushTimer ??= setTimeout(flush, COALESCE_MS);
  }

  const unsubscribe = BUS_CHANNELS.filter((channel) => AFFECTS[channel].length > 0).map((channel) =>
    bus.subscribe(channel, (message) => mark(affected(channel, message.payload), { channel, publishedAt: message.publishedAt })),
  );
  // Also the keep-alive: Bun closes a connection idle for 10 s.
  const refresh = setInterval(() => {
    send(": keep-alive\n\n");
    mark(REFRESHED, { channel: "refresh", publishedAt: new Date().toISOString() });
  }, REFRESH_MS);

  return {
    connect(request) {
      let self: ReadableStreamDefaultController<Uint8Array>;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          self = controller;
          streams.add(controller);
          // A page that reconnects may have missed updates: bring it up to date.
          controller.enqueue(encoder.encode("retry: 1000\n\n"));
          if (request.headers.get("last-event-id")) mark(SECTION_IDS, { channel: "reconnect", publishedAt: new Date().toISOString() });
        },
        cancel() {
          streams.delete(self);
        },
      });
      request.signal.addEventListener("abort", () => streams.delete(self), { once: true });
      return new Response(stream, {
        headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" },
      });
    },
    touch: (ids) => mark(ids, { channel: "refresh", publishedAt: new Date().toISOString() }),
    clients: () => streams.size,
    close() {
      clearInterval(refresh);
      if (flushTimer) clearTimeout(flushTimer);
      for (const off of unsubscribe) off();
      for (const stream of streams) {
        try {
          stream.close();
        } catch {
          // already closed
        }
      }
      streams.clear();
    },
  };
}
