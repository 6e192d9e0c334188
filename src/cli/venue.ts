/** `catalyst venue`: only the simulated Alpaca venue, in the foreground. */
import { mkdirSync } from "node:fs";
import { loadConfig, parseSimStart, servicePort } from "../config.ts";
import { resolveApiKey } from "../runtime/api-key.ts";
import { createLogger } from "../runtime/log.ts";
import { StartupError } from "../runtime/errors.ts";
import { startVenue } from "../services/venue/app.ts";
import { numberOption, parseOptions, UsageError } from "./args.ts";

export async function venueCommand(args: string[]): Promise<number> {
  const options = parseOptions("venue", args, ["port", "host", "seed", "speed", "start"]);
  const config = loadConfig();
  const port = numberOption(options, "port", (n) => Number.isInteger(n) && n > 0 && n < 65536, "a TCP port") ?? servicePort(config, "venue");
  const start = options.start === undefined ? config.venue.start : parseSimStart(options.start);
  if (start === null && options.start !== undefined) throw new UsageError("--start must be YYYY-MM-DD, YYYY-MM-DDTHH:MM (New York time) or an RFC 3339 instant");
  const settings = {
    ...config.venue,
    seed: numberOption(options, "seed", (n) => Number.isInteger(n) && n > 0, "a whole number > 0") ?? config.venue.seed,
    speed: numberOption(options, "speed", (n) => n > 0 && Number.isFinite(n), "a number > 0") ?? config.venue.speed,
    start,
  };
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const apiKey = resolveApiKey(config);
  const log = createLogger("venue", config.logLevel);
  const { venue, server } = startVenue(settings, apiKey.key, log);
  const host = options.host ?? config.bindHost;
  try {
    server.listen({ port, hostname: host });
  } catch (error) {
    if ((error as { code?: string }).code === "EADDRINUSE") throw new StartupError(`port ${port} (venue) is already in use: stop what holds it, or pass --port`);
    throw error;
  }
  const clock = venue.clock.state();
  console.log(`catalyst venue on http://${host}:${server.port} (trade_updates: ws://${host}:${server.port}/stream)`);
  console.log(`  seed ${settings.seed}, ${venue.market.assets().length} symbols, clock ${new Date(clock.now).toISOString()} at ${clock.speed}x`);
  console.log(`  APCA-API-KEY-ID: ${settings.keyId}  APCA-API-SECRET-KEY: ${settings.secretKey === null ? `the API key (${apiKey.source})` : "VENUE_SECRET_KEY"}`);
  return new Promise((resolve) => {
    const shutdown = () => server.stop(true).then(() => resolve(0));
    process.once("SIGTERM", shutdown);
    process.once("SIGINT", shutdown);
  });
}
