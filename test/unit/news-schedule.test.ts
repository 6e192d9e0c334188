/** The scheduled ingest: first run one period after start, then every period; never two at once; stop() ends it. */
import { expect, test } from "bun:test";
import { scheduleIngest } from "../../src/services/news/schedule.ts";

test("runs every period from one period after start, skips a run while the last is still going, and stops", async () => {
  const started: number[] = [];
  let running = 0;
  let overlapped = false;
  const begin = Date.now();
  // One-second period (1/60 minute); the second run takes 1.5 s, so the tick in between is skipped.
  const schedule = scheduleIngest(1 / 60, async () => {
    overlapped ||= running > 0;
    running++;
    started.push(Date.now() - begin);
    await Bun.sleep(started.length === 2 ? 1_500 : 10);
    running--;
  });
  await Bun.sleep(4_300);
  schedule.stop();
  const runs = started.length;
  await Bun.sleep(1_200);
  expect(started.length).toBe(runs);
  expect(overlapped).toBe(false);
  expect(started[0]).toBeGreaterThanOrEqual(900);
  expect(runs).toBeGreaterThanOrEqual(2);
  expect(runs).toBeLessThanOrEqual(3);
}, 10_000);
