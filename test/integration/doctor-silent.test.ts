/**
 * A silent watchdog fails closed, on both backends: with no doctor running, or with the doctor's
 * sweeps hung on a row lock held by a test connection, risk refuses new entries once no sweep has
 * completed for two sweep periods in the doctor's window (books_reconciled: "doctor silent since
 * …"), and approves them again after a good sweep. The market runs at 120× and the doctor ticks
 * every second, so two periods are 2 × (2.5 s + 1 s) = 7 s (a sweep's deadline, one period, 3.5 s).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Sql, TransactionSql } from "postgres";
import { runSweep } from "../../src/doctor/sweep.ts";
import { doctorWatch } from "../../src/doctor/watch.ts";
import { createLogger } from "../../src/runtime/log.ts";
import { entryRequestFrom } from "../../src/services/risk/entry-request.ts";
import { entryRuleSettings, evaluateAgainstBook } from "../../src/services/risk/gate.ts";
import { createEntryMarketView } from "../../src/services/risk/market-view.ts";
import { liquidSymbols, startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { doctorBroker } from "../support/doctor-drift.ts";
import { BACKENDS, waitFor } from "../support/env.ts";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";

const quiet = createLogger("doctor-silent-test", "error");
const DEAD_MAN_SUBJECT = "[catalyst] CRITICAL dead_man: the doctor's sweeps stopped";

const FAST_DOCTOR = {
  VENUE_START: "2026-03-10T10:00",
  VENUE_SPEED: "120",
  DOCTOR_TICK_SECONDS: "1",
  BROKER_REQUESTS_PER_MINUTE: "100000",
};

type Appliance = Awaited<ReturnType<typeof startTestAppliance>>;

const intentFor = (symbol: { symbol: string; price: number }) =>
  ({ symbol: symbol.symbol, side: "long", type: "market", stopLoss: (symbol.price * 0.97).toFixed(2), takeProfit: (symbol.price * 1.075).toFixed(2), source: "api" }) as const;

async function booksReconciled(t: Pick<TestAppliance, "api">, symbol: { symbol: string; price: number }) {
  const { status, body } = await t.api("risk", "/api/v1/risk/validate", { body: { intent: intentFor(symbol) } });
  expect(status).toBe(200);
  return body.verdicts.find((v: { rule: string }) => v.rule === "books_reconciled") as { ok: boolean; detail: string };
}

/** One sweep run by hand (as `catalyst doctor` does): it completes, whatever it finds. */
async function goodSweep(t: Appliance): Promise<void> {
  const { sweepId } = await runSweep(t.sql, doctorBroker(t), { mode: "sim", trigger: "cli", fix: false, mailer: null, log: quiet });
  const [row] = await t.sql`select status from doctor_sweeps where sweep_id = ${sweepId}`;
  expect(row!.status).not.toBe("error");
}

for (const backend of BACKENDS) {
  describe(`a silent doctor on ${backend.name}`, () => {
    test("no doctor running (risk without trading): entries are refused once two periods pass, and resume after a good sweep", async () => {
      const t = await startTestAppliance(backend, FAST_DOCTOR, ["venue", "risk"]);
      try {
        expect(doctorWatch(t.config).limitMs).toBe(7_000);
        const [symbol] = await liquidSymbols(t, 1);
        const refused = await waitFor("books_reconciled to refuse", async () => {
          const verdict = await booksReconciled(t, symbol!);
          return verdict.ok ? null : verdict;
        }, 60_000, 500);
        expect(refused.detail).toContain("doctor silent since no sweep has completed yet");
        expect(refused.detail).toContain("limit 7 s");

        await goodSweep(t);
        expect(await booksReconciled(t, symbol!)).toMatchObject({ ok: true });
      } finally {
        await t.stop();
      }
    }, 120_000);
  });
}

/**
 * The doctor's schedule running, its sweep hung on a real row lock: every sweep resolves the open
 * warning below, and the test holds that row FOR UPDATE. On PostgreSQL the lock wait is left long
 * (DB_LOCK_TIMEOUT_MS) so the sweep truly hangs: the schedule abandons it at its deadline and
 * starts the next, and risk (whose reads take no lock) refuses entries. On the embedded database a
 * held transaction holds its one session, so everyone waits and is cut off by lock_timeout (the
 * sweeps, and risk's own request: no entry is approved); the gate trading runs inside its order
 * transaction, run in the holder's transaction, refuses with the reason. On both, the dead-man
 * alarm (on its own timer) is e-mailed while the sweep loop is hung.
 */
for (const backend of BACKENDS) {
  describe(`a hung doctor sweep on ${backend.name}`, () => {
    const embedded = backend.name === "embedded";
    let t: Appliance;
    let sink: SmtpSink;
    let symbol: { symbol: string; price: number };

    beforeAll(async () => {
      sink = await startSmtpSink();
      const mail = { SMTP_URL: sink.url, ALERT_EMAIL_TO: "desk@example.com" };
      t = await startTestAppliance(backend, { ...FAST_DOCTOR, ...mail, DB_LOCK_TIMEOUT_MS: embedded ? "1000" : "120000" }, ["venue", "risk", "trading"]);
      [symbol] = (await liquidSymbols(t, 1)) as [{ symbol: string; price: number }];
    }, 90_000);

    afterAll(async () => {
      await t?.stop();
      await sink?.stop();
    });

    /** books_reconciled as trading's order transaction evaluates it, run in the given transaction once it refuses. */
    async function gateVerdictInside(tx: TransactionSql) {
      const views = createEntryMarketView(doctorBroker(t));
      const request = entryRequestFrom(intentFor(symbol), "1");
      return waitFor("the gate to refuse", async () => {
        const { evaluation } = await evaluateAgainstBook(tx, { request, view: await views.view(symbol.symbol), settings: entryRuleSettings(t.config) }, false);
        const verdict = evaluation.verdicts.find((v) => v.rule === "books_reconciled")!;
        return verdict.ok ? null : verdict;
      }, 60_000, 500);
    }

    const completedScheduledSweeps = async (sql: Sql, after: Date) =>
      Number((await sql`select count(*) as n from doctor_sweeps where triggered_by = 'schedule' and status in ('ok', 'warning', 'critical') and finished_at > ${after}`)[0]!.n);

    test("entries are refused while the sweep hangs on the lock, the schedule carries on, and entries resume after a good sweep", async () => {
      const start = new Date(0);
      await waitFor("a first scheduled sweep", async () => (await completedScheduledSweeps(t.sql, start)) > 0, 60_000, 200);
      expect(await booksReconciled(t, symbol)).toMatchObject({ ok: true });

      const [last] = await t.sql`select max(sweep_id) as id from doctor_sweeps`;
      await t.sql`
        insert into doctor_issues (issue_key, issue_type, severity, entity, check_name, last_sweep_id, diff, email_status)
        values ('stale_cycle:cycle:watchdog-test', 'stale_cycle', 'warning', 'cycle:watchdog-test', 'pipeline_status', ${last!.id}, '{"db": null, "broker": null}', 'not_configured')`;
      const release = Promise.withResolvers<void>();
      const locked = Promise.withResolvers<number>();
      const holder = Promise.withResolvers<TransactionSql>();
      const holding = t.sql.begin(async (tx) => {
        await tx`select 1 from doctor_issues where issue_key = 'stale_cycle:cycle:watchdog-test' for update`;
        const [newest] = await tx`select max(sweep_id) as id from doctor_sweeps`;
        holder.resolve(tx);
        locked.resolve(Number(newest!.id));
        await release.promise;
      });
      const lastBeforeHold = await locked.promise;
      const releasedAt = await (async () => {
        try {
          if (embedded) {
            // Everyone waits for the held session; risk's request is cut off rather than approving anything.
            const { status, body } = await t.api("risk", "/api/v1/risk/validate", { body: { intent: intentFor(symbol) } });
            expect(status === 200 && body.approved === true).toBe(false);
            const refused = await gateVerdictInside(await holder.promise);
            expect(refused.detail).toMatch(/doctor silent since the last sweep completed at \d{4}-\d\d-\d\dT/);
          } else {
            const refused = await waitFor("books_reconciled to refuse", async () => {
              const verdict = await booksReconciled(t, symbol);
              return verdict.ok ? null : verdict;
            }, 60_000, 500);
            expect(refused.detail).toMatch(/doctor silent since the last sweep completed at \d{4}-\d\d-\d\dT/);
            // The hung sweep was abandoned at its deadline and the next one started: two hang on the lock at once.
            await waitFor("a second sweep started during the hold", async () => {
              const [hung] = await t.sql`select count(*) as n from doctor_sweeps where sweep_id >= ${lastBeforeHold} and status = 'running'`;
              return Number(hung!.n) >= 2;
            }, 60_000, 200);
          }
          // The dead-man, on its own timer outside the hung loop, raised the alarm.
          await waitFor("the dead-man e-mail", async () => sink.messages.some((m) => m.subject === DEAD_MAN_SUBJECT), 60_000, 200);
        } finally {
          release.resolve();
          await holding;
        }
        return new Date();
      })();

      await waitFor("a scheduled sweep completed after the release", async () => (await completedScheduledSweeps(t.sql, releasedAt)) > 0, 60_000, 200);
      expect(await booksReconciled(t, symbol)).toMatchObject({ ok: true });
      const [issue] = await t.sql`select resolved_at from doctor_issues where issue_key = 'stale_cycle:cycle:watchdog-test'`;
      expect(issue!.resolved_at).not.toBeNull();
    }, 180_000);
  });
}
