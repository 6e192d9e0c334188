/** The doctor inside `catalyst serve`: scheduled sweeps in the market window, none outside it. */
import { describe, expect, test } from "bun:test";
import { BACKENDS, waitFor } from "../support/env.ts";
import { startTestAppliance } from "../support/appliance.ts";

const SCHEDULE_ENV = { DOCTOR_TICK_SECONDS: "1", VENUE_SPEED: "120" };

for (const backend of BACKENDS) {
  describe(`the doctor's schedule on ${backend.name}`, () => {
    test("in the window: sweeps run by themselves, fixes on, every 5 market minutes; the activity log records them", async () => {
      const t = await startTestAppliance(backend, { ...SCHEDULE_ENV, VENUE_START: "2026-03-10T10:00" }, ["venue", "risk", "trading"]);
      try {
        const sweeps = await waitFor("two scheduled sweeps", async () => {
          const rows = await t.sql`select status, fix_enabled, report->>'checked_at' as checked_at from doctor_sweeps where triggered_by = 'schedule' and finished_at is not null order by sweep_id`;
          return rows.length >= 2 ? rows : null;
        }, 40_000, 250);
        expect(sweeps[0]).toMatchObject({ status: "ok", fix_enabled: true });
        // At 120× a real second is two market minutes: sweeps are due 5 market minutes apart (the third
        // look after a sweep, ~6 minutes), and their reports' checked_at is read inside each sweep, a few
        // market seconds after the schedule's look.
        const apart = Date.parse(sweeps[1]!.checked_at) - Date.parse(sweeps[0]!.checked_at);
        expect(apart).toBeGreaterThanOrEqual(4 * 60_000);
        expect(apart).toBeLessThan(15 * 60_000);
        const [logged] = await t.sql`select count(*)::int as n from claude_activity_log where observation_type = 'sweep' and metadata->>'who' = 'doctor:schedule'`;
        expect(logged!.n).toBeGreaterThanOrEqual(2);
      } finally {
        await t.stop();
      }
    }, 90_000);

    // The schedule looks every second (two market minutes at 120×); what those looks swept in 4 s from
    // `start`. A sweep is counted from its start (its row): polled, so a weekday's first sweep ends the wait.
    async function sweepsInFourSeconds(start: string): Promise<number> {
      const t = await startTestAppliance(backend, { ...SCHEDULE_ENV, VENUE_START: start }, ["venue", "risk", "trading"]);
      try {
        const deadline = Date.now() + 4_000;
        let n = 0;
        while (n === 0 && Date.now() < deadline) {
          await Bun.sleep(100);
          n = (await t.sql`select count(*)::int as n from doctor_sweeps`)[0]!.n;
        }
        return n;
      } finally {
        await t.stop();
      }
    }

    test("on a Saturday: no sweep, where the same schedule at the same hour on a weekday sweeps", async () => {
      // Tuesday 11:00: in the window, so the first look sweeps — the Saturday's nothing is the calendar's doing.
      expect(await sweepsInFourSeconds("2026-03-10T11:00")).toBeGreaterThan(0);
      expect(await sweepsInFourSeconds("2026-03-14T11:00")).toBe(0);
    }, 90_000);
  });
}
