/** A real venue on a free port for tests, its clock paused so a test decides when time moves. */
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { createLogger } from "../../src/runtime/log.ts";
import { toTicks } from "../../src/services/venue/exchange/ticks.ts";
import type { FaultPlan } from "../../src/services/venue/faults.ts";
import { createVenueServer, type VenueServer } from "../../src/services/venue/server.ts";
import { Venue } from "../../src/services/venue/venue.ts";

export const VENUE_KEY_ID = "test-key-id";
export const VENUE_SECRET = "test-secret-0123456789";

export interface TestVenue {
  venue: Venue;
  server: VenueServer;
  baseUrl: string;
  streamUrl: string;
  /** Alpaca's auth headers for raw fetches. */
  headers: Record<string, string>;
  /** Moves the simulated clock forward (and the exchange with it). */
  advance(seconds: number): void;
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

export interface TestVenueOptions {
  seed?: number;
  /** New York wall time, e.g. "2026-03-10T10:00". */
  start?: string;
  initialCashUsd?: number;
  faults?: Partial<FaultPlan>;
}

export function startTestVenue(options: TestVenueOptions = {}): TestVenue {
  const [day, time] = (options.start ?? "2026-03-10T10:00").split("T") as [string, string];
  const venue = new Venue({
    seed: options.seed ?? 7,
    speed: 1,
    start: etInstant(day, time),
    initialCash: toTicks(options.initialCashUsd ?? 100_000),
    credentials: { keyId: VENUE_KEY_ID, secretKey: VENUE_SECRET },
    faults: options.faults,
  });
  venue.clock.set({ paused: true });
  const server = createVenueServer(venue, createLogger("venue", "error"));
  server.listen({ port: 0, hostname: "127.0.0.1" });
  const baseUrl = `http://127.0.0.1:${server.port}`;
  const headers = { "APCA-API-KEY-ID": VENUE_KEY_ID, "APCA-API-SECRET-KEY": VENUE_SECRET, "content-type": "application/json" };
  return {
    venue,
    server,
    baseUrl,
    streamUrl: `ws://127.0.0.1:${server.port}/stream`,
    headers,
    advance(seconds) {
      venue.clock.advance(seconds * 1000);
      venue.now();
    },
    admin: (method, path, body) =>
      fetch(`${baseUrl}/admin/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
    close: () => server.stop(true),
  };
}
