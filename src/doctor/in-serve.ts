/** The doctor as `catalyst serve` runs it: its own small pool, the broker signed as "doctor", the schedule, the main thread's bus. */
import type { Bus } from "../adapters/bus/bus.ts";
import { connectDatabase } from "../adapters/db/client.ts";
import { createMailer } from "../adapters/mail/mailer.ts";
import type { Config } from "../config.ts";
import { brokerSignedAs } from "../runtime/broker.ts";
import type { ApplianceDatabase } from "../runtime/database.ts";
import { createLogger } from "../runtime/log.ts";
import { startDoctorSchedule } from "./schedule.ts";
import { doctorWatch } from "./watch.ts";

/** bus: the alerts notifier's (its owner closes it); sweeps publish issue changes and the dead-man on it. */
export async function startDoctor(config: Config, database: ApplianceDatabase, apiKey: string, bus: Bus | null): Promise<{ stop(): Promise<void> }> {
  const sql = connectDatabase(database.url, { max: 2, application: "catalyst-doctor", timeouts: config.databaseTimeouts });
  const broker = brokerSignedAs(config, apiKey, "doctor");
  const schedule = startDoctorSchedule({
    sql,
    broker,
    mode: config.mode,
    mailer: createMailer(config),
    bus,
    log: createLogger("doctor", config.logLevel),
    tickSeconds: config.doctorTickSeconds,
    silenceLimitMs: doctorWatch(config).limitMs,
  });
  return {
    async stop() {
      await schedule.stop();
      await sql.end({ timeout: 5 });
    },
  };
}
