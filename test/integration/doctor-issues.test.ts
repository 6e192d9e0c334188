/**
 * Open doctor issues and their escalation e-mail, on both database backends, through a real SMTP
 * server: one e-mail per issue whatever the number of sweeps or senders, retried after a failure,
 * logged either way.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import type { Sql } from "postgres";
import { connectDatabase } from "../../src/adapters/db/client.ts";
import { createMailer, type Mailer } from "../../src/adapters/mail/mailer.ts";
import { loadConfig } from "../../src/config.ts";
import { deliverEscalations, openCriticalIssueKeys, issueKey, openIssues, recordOpenIssues, resolveIssues, type OpenIssueInput } from "../../src/doctor/issues.ts";
import { openApplianceDatabase, type ApplianceDatabase } from "../../src/runtime/database.ts";
import { createLogger } from "../../src/runtime/log.ts";
import { BACKENDS } from "../support/env.ts";
import { SINK_PASSWORD, startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";

const log = createLogger("doctor-test", "error");

const phantom: OpenIssueInput = {
  type: "phantom_position",
  severity: "critical",
  entity: "position:7",
  check: "phantom_positions",
  db: { symbol: "AAPL", qty: "100", status: "open" },
  broker: { symbol: "AAPL", qty: "0" },
};
const stuck: OpenIssueInput = { type: "stuck_order", severity: "warning", entity: "order:42", check: "stuck_orders", db: { status: "submitted" }, broker: null };

const MINUTE = 60_000;

for (const backend of BACKENDS) {
  describe(`doctor issues on ${backend.name}`, () => {
    let prepared: Awaited<ReturnType<Backend["prepare"]>>;
    let database: ApplianceDatabase;
    let sql: Sql;
    let sink: SmtpSink;
    let mailer: Mailer;

    beforeAll(async () => {
      prepared = await backend.prepare();
      database = await openApplianceDatabase(loadConfig(prepared.env));
      sql = connectDatabase(database.url, { max: 4, application: "test" });
      sink = await startSmtpSink();
      mailer = createMailer({ smtpUrl: sink.url, alertEmailTo: "desk@example.com", alertEmailFrom: "catalyst@example.com" })!;
    }, 60_000);

    afterAll(async () => {
      await sink?.stop();
      await sql?.end();
      await database?.close();
      await prepared?.cleanup();
    });

    beforeEach(async () => {
      await sql`truncate doctor_issues, claude_activity_log`;
      sink.messages.length = 0;
    });

    async function sweep(): Promise<number> {
      const [row] = await sql<{ sweep_id: string }[]>`insert into doctor_sweeps (triggered_by) values ('cli') returning sweep_id`;
      return Number(row!.sweep_id);
    }

    const escalationLog = async () => [
      ...(await sql`select issue_type, issue_severity, entity, decision, action_type, action_result, error_message, action_target
            from claude_activity_log where action_type = 'alert_sent' order by log_id`),
    ];

    test("a new issue: exactly one e-mail naming it with the diff, marked sent and logged; seen again: no second e-mail", async () => {
      const first = await sweep();
      expect(await recordOpenIssues(sql, first, [phantom])).toEqual({ opened: [phantom], stillOpen: 0 });
      expect(await deliverEscalations(sql, mailer, log)).toEqual({ sent: 1, failed: 0, notConfigured: 0 });

      expect(sink.messages).toHaveLength(1);
      const mail = sink.messages[0]!;
      expect(mail.subject).toBe("[catalyst critical] phantom_position: position:7");
      expect(mail.to && "text" in mail.to ? mail.to.text : "").toBe("desk@example.com");
      expect(mail.text).toContain('≠ qty     "100" | "0"');
      expect(mail.text).toContain('  symbol  "AAPL" | "AAPL"');
      expect(JSON.parse(/As JSON:\n([^]*?)\n\n/.exec(mail.text ?? "")![1]!)).toEqual({ db: phantom.db, broker: phantom.broker });
      const [issue] = await openIssues(sql);
      expect(issue).toMatchObject({ issue_key: "phantom_position:position:7", email_status: "sent", email_attempts: 1, last_sweep_id: first });
      expect(await escalationLog()).toEqual([
        { issue_type: "phantom_position", issue_severity: "critical", entity: "position:7", decision: "escalate", action_type: "alert_sent", action_result: "success", error_message: null, action_target: "email:desk@example.com" },
      ]);

      const second = await sweep();
      const moved = { ...phantom, broker: { symbol: "AAPL", qty: "5" } };
      expect(await recordOpenIssues(sql, second, [moved])).toEqual({ opened: [], stillOpen: 1 });
      expect(await deliverEscalations(sql, mailer, log, new Date(Date.now() + 120 * MINUTE))).toEqual({ sent: 0, failed: 0, notConfigured: 0 });
      expect(sink.messages).toHaveLength(1);
      const [again] = await openIssues(sql);
      expect(again).toMatchObject({ issue_id: issue!.issue_id, last_sweep_id: second, diff: { db: phantom.db, broker: { symbol: "AAPL", qty: "5" } } });
    });

    test("two senders at once send each issue once", async () => {
      const id = await sweep();
      const many = Array.from({ length: 5 }, (_, i) => ({ ...stuck, entity: `order:${i}` }));
      await recordOpenIssues(sql, id, many);
      const [a, b] = await Promise.all([deliverEscalations(sql, mailer, log), deliverEscalations(sql, mailer, log)]);
      expect(a.sent + b.sent).toBe(5);
      expect(sink.messages.map((m) => m.subject).sort()).toEqual(many.map((i) => `[catalyst warning] stuck_order: ${i.entity}`).sort());
    });

    test("resolved when its check ran and did not see it; a check that did not run keeps its issues; back again → a new e-mail", async () => {
      const first = await sweep();
      await recordOpenIssues(sql, first, [phantom, stuck]);
      await deliverEscalations(sql, mailer, log);
      expect(sink.messages).toHaveLength(2);

      const second = await sweep();
      // stuck_orders did not complete this time (say the broker timed out): its issue stays open.
      expect(await resolveIssues(sql, second, { checksRan: ["phantom_positions"], stillPresentKeys: [] })).toBe(1);
      expect((await openIssues(sql)).map((i) => i.issue_key)).toEqual([issueKey(stuck)]);
      expect(await openCriticalIssueKeys(sql)).toEqual([]);
      expect(await resolveIssues(sql, second, { checksRan: ["stuck_orders"], stillPresentKeys: [issueKey(stuck)] })).toBe(0);
      const [resolved] = await sql`select resolution from doctor_issues where issue_key = ${issueKey(phantom)}`;
      expect(resolved!.resolution).toBe(`absent from sweep ${second} (check phantom_positions ran completely)`);

      const third = await sweep();
      expect(await recordOpenIssues(sql, third, [phantom, stuck])).toEqual({ opened: [phantom], stillOpen: 1 });
      expect(await openCriticalIssueKeys(sql)).toEqual([issueKey(phantom)]);
      await deliverEscalations(sql, mailer, log);
      expect(sink.messages.map((m) => m.subject)).toEqual([
        expect.any(String),
        expect.any(String),
        "[catalyst critical] phantom_position: position:7",
      ]);
      expect(sink.messages.filter((m) => m.subject?.includes("stuck_order"))).toHaveLength(1);
    });

    test("SMTP down: the send fails without throwing, is logged and retried after the back-off", async () => {
      const id = await sweep();
      await recordOpenIssues(sql, id, [phantom]);
      const down = createMailer({ smtpUrl: `smtp://catalyst:${encodeURIComponent(SINK_PASSWORD)}@127.0.0.1:${await closedPort()}`, alertEmailTo: "desk@example.com", alertEmailFrom: "catalyst@example.com" })!;
      expect(await deliverEscalations(sql, down, log)).toEqual({ sent: 0, failed: 1, notConfigured: 0 });
      const [failed] = await openIssues(sql);
      expect(failed).toMatchObject({ email_status: "failed", email_attempts: 1 });
      expect(failed!.email_last_error).toContain("ECONNREFUSED");
      expect(failed!.email_last_error).not.toContain(SINK_PASSWORD);
      expect(await escalationLog()).toEqual([expect.objectContaining({ action_result: "failed", error_message: failed!.email_last_error })]);
      const [failedView] = await sql`select issue_type, action_type from v_failed_actions`;
      expect(failedView).toEqual({ issue_type: "phantom_position", action_type: "alert_sent" });

      // Not due yet: nothing is tried, even with the server back.
      expect(await deliverEscalations(sql, mailer, log)).toEqual({ sent: 0, failed: 0, notConfigured: 0 });
      expect(sink.messages).toHaveLength(0);

      const afterBackOff = new Date(failed!.next_attempt_at.getTime() + 1_000);
      expect(await deliverEscalations(sql, mailer, log, afterBackOff)).toEqual({ sent: 1, failed: 0, notConfigured: 0 });
      expect(sink.messages).toHaveLength(1);
      expect((await openIssues(sql))[0]).toMatchObject({ email_status: "sent", email_attempts: 2, email_last_error: null });
      expect((await escalationLog()).map((r) => r.action_result)).toEqual(["failed", "success"]);
    });

    test("no SMTP configured: not_configured, logged as skipped, never e-mailed later", async () => {
      const id = await sweep();
      await recordOpenIssues(sql, id, [phantom]);
      expect(await deliverEscalations(sql, null, log)).toEqual({ sent: 0, failed: 0, notConfigured: 1 });
      expect((await openIssues(sql))[0]!.email_status).toBe("not_configured");
      expect(await escalationLog()).toEqual([expect.objectContaining({ decision: "escalate", action_result: "skipped", action_target: null })]);
      expect(await deliverEscalations(sql, mailer, log, new Date(Date.now() + 120 * MINUTE))).toEqual({ sent: 0, failed: 0, notConfigured: 0 });
      expect(sink.messages).toHaveLength(0);
    });

    test("a sweep's issues are recorded in one statement whatever their number; duplicates count once", async () => {
      const id = await sweep();
      const many = Array.from({ length: 3_000 }, (_, i) => ({ ...stuck, entity: `order:${i}` }));
      const { opened } = await recordOpenIssues(sql, id, [...many, many[0]!]);
      expect(opened).toHaveLength(3_000);
      expect(await recordOpenIssues(sql, await sweep(), many)).toEqual({ opened: [], stillOpen: 3_000 });
      expect(await resolveIssues(sql, id + 1, { checksRan: ["stuck_orders"], stillPresentKeys: many.slice(1).map(issueKey) })).toBe(1);
    });
  });
}

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = listener;
  listener.stop(true);
  return port;
}

type Backend = (typeof BACKENDS)[number];
