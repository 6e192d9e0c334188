/**
 * `catalyst alerts test`: one alert of each priority through every configured channel (e-mail,
 * webhook), each told what happened. Exit 0 all delivered, 1 a channel failed or none is configured.
 */
import { loadConfig } from "../config.ts";
import { testAlerts } from "../domain/alerts/events.ts";
import { createLogger } from "../runtime/log.ts";
import { configuredChannels } from "../services/alerts/channels.ts";
import { Notifier } from "../services/alerts/notifier.ts";
import { DEFAULT_POLICY } from "../domain/alerts/desk.ts";
import { noArgs, UsageError } from "./args.ts";

/** Two tries a second apart: a test should answer in seconds, not wait out the service's back-off. */
const TEST_RETRY = { attempts: 2, firstDelayMs: 1_000 };

export async function alertsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "test") throw new UsageError(sub === undefined ? "alerts needs a subcommand: test" : `unknown alerts subcommand: ${sub}`);
  noArgs("alerts test", rest);
  const config = loadConfig();
  const channels = configuredChannels(config);
  if (channels.length === 0) {
    console.error("no alert channel is configured: set SMTP_URL and ALERT_EMAIL_TO (e-mail), or ALERT_WEBHOOK_URL and ALERT_WEBHOOK_SECRET (webhook)");
    return 1;
  }
  // Failures are printed below; the log's JSON lines would only repeat them.
  const notifier = new Notifier(channels, createLogger("alerts", "error"), DEFAULT_POLICY, TEST_RETRY);
  let failed = false;
  for (const event of testAlerts(new Date().toISOString())) {
    for (const outcome of await notifier.deliver({ priority: event.priority, events: [event] })) {
      failed ||= !outcome.ok;
      const result = outcome.ok ? `sent${outcome.attempts > 1 ? ` (after ${outcome.attempts} tries)` : ""}` : `FAILED after ${outcome.attempts} tries: ${outcome.error}`;
      console.log(`${outcome.channel.padEnd(8)} ${outcome.target}  ${event.priority.padEnd(8)} ${result}`);
    }
  }
  await notifier.stop();
  return failed ? 1 : 0;
}
