/**
 * A job every N real seconds (croner, one run at a time: a run still going when the next is due
 * is skipped, not stacked). It fires on the second, at least `seconds` apart, so any period works,
 * not only those that divide a minute.
 */
import { Cron } from "croner";

export interface Repeating {
  stop(): void;
}

/** firstAfterPeriod: the first run one period after start (else on the next second). */
export function repeatEvery(seconds: number, run: () => Promise<unknown>, options: { firstAfterPeriod?: boolean } = {}): Repeating {
  const startAt = options.firstAfterPeriod ? new Date(Date.now() + seconds * 1000) : undefined;
  const job = new Cron("* * * * * *", { interval: seconds, startAt, protect: true, unref: true }, async () => {
    await run();
  });
  return { stop: () => job.stop() };
}
