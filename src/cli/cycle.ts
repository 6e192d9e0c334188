/** `catalyst cycle skip [--date D] [--reason TEXT]`: autostart leaves that trading day alone (the appliance must be running). */
import { loadConfig } from "../config.ts";
import { skipDayRoute } from "../contracts/workflow.ts";
import { resolveApiKey } from "../runtime/api-key.ts";
import { ServiceCallError, ServiceClient } from "../runtime/client.ts";
import { parseOptions, UsageError } from "./args.ts";

export async function cycleCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "skip") throw new UsageError(sub === undefined ? "cycle needs a subcommand: skip" : `unknown cycle subcommand: ${sub}`);
  const options = parseOptions("cycle skip", rest, ["date", "reason"]);
  if (options.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.date)) throw new UsageError(`--date must be YYYY-MM-DD (got "${options.date}")`);
  const config = loadConfig();
  const client = ServiceClient.fromConfig(config, resolveApiKey(config).key);
  try {
    const { message } = await client.call(skipDayRoute, { body: { date: options.date, reason: options.reason } });
    console.log(message);
    return 0;
  } catch (error) {
    // A refusal (a past date, a day already started) is the user's to read, not a crash.
    if (error instanceof ServiceCallError && error.status < 500) {
      console.error(`catalyst: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
