/** venue (5007, sim mode only): the simulated Alpaca Catalyst trades against when no Alpaca keys are set. */
import type { VenueSettings } from "../../config.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import type { Logger } from "../../runtime/log.ts";
import { toTicks } from "./exchange/ticks.ts";
import { createVenueServer, type VenueServer } from "./server.ts";
import { Venue } from "./venue.ts";

/** Builds the venue from settings; the API key is the default secret (key id `sim`). */
export function startVenue(settings: VenueSettings, apiKey: string, log: Logger): { venue: Venue; server: VenueServer } {
  const venue = new Venue({
    seed: settings.seed,
    speed: settings.speed,
    start: settings.start ?? Date.now(),
    initialCash: toTicks(settings.initialCashUsd),
    credentials: { keyId: settings.keyId, secretKey: settings.secretKey ?? apiKey },
  });
  return { venue, server: createVenueServer(venue, log) };
}

export function createVenueApp(ctx: ServiceContext): VenueServer {
  return startVenue(ctx.config.venue, ctx.apiKey, ctx.log).server;
}
