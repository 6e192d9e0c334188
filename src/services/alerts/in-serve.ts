/**
 * The alerts notifier as `catalyst serve` runs it: on the main thread beside the doctor (it has no
 * API of its own, so it costs no worker and no port), subscribed to the bus the workers use. On
 * Redis it also listens to the in-process hub, where workers hand the messages Redis refused: with
 * Redis down, alerts from this host's services still go out. It also gives the doctor (on this same
 * thread) a bus to publish its issues and dead-man alarm on.
 */
import type { Sql } from "postgres";
import type { Bus } from "../../adapters/bus/bus.ts";
import type { InProcessBusHub } from "../../adapters/bus/in-process.ts";
import { connectDatabase } from "../../adapters/db/client.ts";
import type { Config } from "../../config.ts";
import { brokerSignedAs } from "../../runtime/broker.ts";
import { ServiceClient } from "../../runtime/client.ts";
import type { ApplianceDatabase } from "../../runtime/database.ts";
import { createLogger } from "../../runtime/log.ts";
import { configuredChannels } from "./channels.ts";
import { DEFAULT_RETRY, Notifier } from "./notifier.ts";
import { startDaySummary } from "./summary.ts";

export interface RunningAlerts {
  /** The main thread's bus, for the doctor's messages. */
  doctorBus: Bus;
  /** The end-of-day summary, once the database is up (it records which days went; it reads the market clock, reporting and trading). */
  startSummary(database: ApplianceDatabase): void;
  stop(): Promise<void>;
}

export async function startAlerts(config: Config, hub: InProcessBusHub, apiKey: string): Promise<RunningAlerts> {
  const log = createLogger("alerts", config.logLevel);
  const channels = configuredChannels(config);
  const notifier = new Notifier(channels, log, {
    batchMs: config.alerts.batchSeconds * 1000,
    dedupeMs: config.alerts.dedupeMinutes * 60_000,
    maxPerMinute: config.alerts.maxPerMinute,
  }, { ...DEFAULT_RETRY, firstDelayMs: config.alerts.retrySeconds * 1000 });
  // Listening before the first await: the workers may publish as soon as they start.
  const local = hub.connectLocal("alerts");
  notifier.listen(local);
  if (channels.length === 0) log.warn("alerts are off: set SMTP_URL and ALERT_EMAIL_TO, or ALERT_WEBHOOK_URL and ALERT_WEBHOOK_SECRET");
  else log.info("alerts on", { channels: channels.map((c) => `${c.name} → ${c.target}`) });
  let doctorBus: Bus;
  if (config.redisUrl) {
    const { RedisBus } = await import("../../adapters/bus/redis.ts");
    const redis = new RedisBus(config.redisUrl, config.busNamespace, "doctor", (message) => hub.handle({ bus: "publish", message }));
    notifier.listen(redis);
    if (!(await redis.connect())) log.warn("redis unreachable; alerts from this host still go out, those from other hosts wait for it", { bus: redis.health().detail });
    doctorBus = redis;
  } else {
    doctorBus = hub.connectLocal("doctor");
  }
  let summary: { sql: Sql; days: { stop(): Promise<void> } } | null = null;
  return {
    doctorBus,
    startSummary(database) {
      const sql = connectDatabase(database.url, { max: 1, application: "catalyst-alerts", timeouts: config.databaseTimeouts });
      const days = startDaySummary({ sql, broker: brokerSignedAs(config, apiKey, "alerts"), client: ServiceClient.fromConfig(config, apiKey), notifier, log, tickSeconds: config.doctorTickSeconds });
      summary = { sql, days };
    },
    async stop() {
      await summary?.days.stop();
      await summary?.sql.end({ timeout: 5 });
      await notifier.stop();
      await Promise.allSettled([doctorBus.close(), local.close()]);
    },
  };
}
