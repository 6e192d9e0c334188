/** The one scheduler every service uses: every period, never two runs at once, stop() ends it. */
import { expect, test } from "bun:test";
import { repeatEvery } from "../../src/runtime/repeat.ts";

test("first run one period after start, then every period; skips a run while the last is still going; stops", async () => {
  const started: number[] = [];
  let running = 0;
  let overlapped = false;
  const begin = Date.now();
  // The second run takes 1.5 s, so the tick in between is skipped.
  const schedule = repeatEvery(
    1,
    async () => {
      overlapped ||= running > 0;
      running++;
      started.push(Date.now() - begin);
      await Bun.sleep(started.length === 2 ? 1_500 : 10);
      running--;
    },
    { firstAfterPeriod: true },
  );
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

test("without a delay: runs every period, never two at once, and stops", async () => {
  let ticks = 0;
  let running = 0;
  let overlapped = false;
  const schedule = repeatEvery(1, async () => {
    overlapped ||= running > 0;
    running++;
    ticks++;
    // The first run outlasts the next period: that one is skipped, not stacked.
    await Bun.sleep(ticks === 1 ? 1_500 : 10);
    running--;
  });
  await Bun.sleep(3_300);
  schedule.stop();
  const seen = ticks;
  await Bun.sleep(1_200);
  expect(ticks).toBe(seen);
  expect(overlapped).toBe(false);
  expect(seen).toBeGreaterThanOrEqual(2);
  expect(seen).toBeLessThanOrEqual(3);
}, 10_000);
