/** The doctor as `catalyst serve` runs it: its own small pool, the broker signed as "doctor", the schedule. */
import { connectDatabase } from "../adapters/db/client.ts";
import { createMailer } from "../adapters/mail/mailer.ts";
import type { Config } from "../config.ts";
import { brokerSignedAs } from "../runtime/broker.ts";
import type { ApplianceDatabase } from "../runtime/database.ts";
import { createLogger } from "../runtime/log.ts";
import { startDoctorSchedule } from "./schedule.ts";
import { doctorWatch } from "./watch.ts";

export async function startDoctor(config: Config, database: ApplianceDatabase, apiKey: string): Promise<{ stop(): Promise<void> }> {
  const sql = connectDatabase(database.url, { max: 2, application: "catalyst-doctor", timeouts: config.databaseTimeouts });
  const broker = brokerSignedAs(config, apiKey, "doctor");
  const schedule = startDoctorSchedule({ sql, broker, mode: config.mode, mailer: createMailer(config), log: createLogger("doctor", config.logLevel), tickSeconds: config.doctorTickSeconds, silenceLimitMs: doctorWatch(config).limitMs });
  return {
    async stop() {
      await schedule.stop();
      await sql.end({ timeout: 5 });
    },
  };
}
