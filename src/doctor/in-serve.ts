/** The doctor as `catalyst serve` runs it: its own small pool, the broker signed as "doctor", the schedule, a bus of its own. */
import type { Bus } from "../adapters/bus/bus.ts";
import type { InProcessBusHub } from "../adapters/bus/in-process.ts";
import { connectDatabase } from "../adapters/db/client.ts";
import { createMailer } from "../adapters/mail/mailer.ts";
import type { Config } from "../config.ts";
import { brokerSignedAs } from "../runtime/broker.ts";
import type { ApplianceDatabase } from "../runtime/database.ts";
import { createLogger, type Logger } from "../runtime/log.ts";
import { startDoctorSchedule } from "./schedule.ts";
import { doctorWatch } from "./watch.ts";

/** hub: the in-process bus's hub when there is no Redis. */
export async function startDoctor(config: Config, database: ApplianceDatabase, apiKey: string, hub: InProcessBusHub | null): Promise<{ stop(): Promise<void> }> {
  const log = createLogger("doctor", config.logLevel);
  const sql = connectDatabase(database.url, { max: 2, application: "catalyst-doctor", timeouts: config.databaseTimeouts });
  const broker = brokerSignedAs(config, apiKey, "doctor");
  const bus = await doctorBus(config, hub, log);
  const schedule = startDoctorSchedule({ sql, broker, mode: config.mode, mailer: createMailer(config), log, tickSeconds: config.doctorTickSeconds, bus, silenceLimitMs: doctorWatch(config).limitMs });
  return {
    async stop() {
      await schedule.stop();
      await Promise.allSettled([sql.end({ timeout: 5 }), bus?.close()]);
    },
  };
}

/** Sweeps tell live MCP sessions when the open issues change; without a bus they still run. */
async function doctorBus(config: Config, hub: InProcessBusHub | null, log: Logger): Promise<Bus | null> {
  if (!config.redisUrl) return hub?.connectLocal("doctor") ?? null;
  const { RedisBus } = await import("../adapters/bus/redis.ts");
  const redis = new RedisBus(config.redisUrl, config.busNamespace, "doctor");
  if (!(await redis.connect())) log.warn("redis unreachable; doctor issue changes are not published until it returns");
  return redis;
}
