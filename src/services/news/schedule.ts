/**
 * The scheduled ingest: every N minutes from N minutes after start (croner, one run at a time —
 * a run still going when the next is due is skipped, not stacked).
 */
import { Cron } from "croner";

export interface IngestSchedule {
  stop(): void;
}

export function scheduleIngest(everyMinutes: number, run: () => Promise<unknown>): IngestSchedule {
  const seconds = everyMinutes * 60;
  // Every second, at least `interval` apart, from startAt: an exact period that need not divide the hour.
  const job = new Cron("* * * * * *", { interval: seconds, startAt: new Date(Date.now() + seconds * 1000), protect: true, unref: true }, async () => {
    await run();
  });
  return { stop: () => job.stop() };
}
