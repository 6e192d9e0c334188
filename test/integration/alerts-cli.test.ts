/**
 * `catalyst alerts test` as a user runs it: one alert of each priority to a real SMTP server and a
 * loopback webhook, a line per channel and priority, exit 0; a channel that fails is named, exit 1.
 * No database or bus is involved.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";
import { startWebhookSink, type WebhookSink } from "../support/webhook-sink.ts";

const root = join(import.meta.dir, "../..");
let smtp: SmtpSink;
let hook: WebhookSink;

beforeAll(async () => {
  smtp = await startSmtpSink();
  hook = startWebhookSink();
});
afterAll(async () => {
  hook?.stop();
  await smtp?.stop();
});

async function alertsTest(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = Bun.spawn([process.execPath, "src/cli.ts", "alerts", "test"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

test("both channels working: three alerts each, every line 'sent', exit 0", async () => {
  const result = await alertsTest({ SMTP_URL: smtp.url, ALERT_EMAIL_TO: "trader@example.com", ALERT_WEBHOOK_URL: hook.url, ALERT_WEBHOOK_SECRET: hook.secret });
  expect(result.code).toBe(0);
  const lines = result.stdout.trim().split("\n");
  expect(lines).toHaveLength(6);
  for (const priority of ["critical", "warning", "info"]) {
    expect(lines.filter((l) => l.includes(` ${priority} `) && l.endsWith("sent"))).toHaveLength(2);
  }
  expect(lines.some((l) => l.startsWith("email") && l.includes("trader@example.com"))).toBe(true);
  // The webhook's query string (a token, for Slack or Discord) never reaches the output.
  expect(result.stdout).not.toContain("token=abc");
  expect(smtp.messages.map((m) => m.subject)).toEqual(["[catalyst] CRITICAL Test alert (critical)", "[catalyst] WARNING Test alert (warning)", "[catalyst] INFO Test alert (info)"]);
  expect(hook.deliveries.map((d) => [d.verified, d.body.priority, d.priorityHeader])).toEqual([
    [true, "critical", "5"],
    [true, "warning", "4"],
    [true, "info", "3"],
  ]);
});

test("a webhook that cannot be reached: named as FAILED with the reason, e-mail still sent, exit 1", async () => {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const closedPort = probe.port;
  probe.stop(true);
  smtp.messages.length = 0;
  const result = await alertsTest({
    SMTP_URL: smtp.url,
    ALERT_EMAIL_TO: "trader@example.com",
    ALERT_WEBHOOK_URL: `http://127.0.0.1:${closedPort}/hook`,
    ALERT_WEBHOOK_SECRET: hook.secret,
  });
  expect(result.code).toBe(1);
  const lines = result.stdout.trim().split("\n");
  expect(lines.filter((l) => l.startsWith("webhook") && l.includes("FAILED after 2 tries: webhook http://127.0.0.1"))).toHaveLength(3);
  expect(lines.filter((l) => l.startsWith("email") && l.endsWith("sent"))).toHaveLength(3);
  expect(smtp.messages).toHaveLength(3);
});

test("nothing configured: says which settings to set, exit 1", async () => {
  const result = await alertsTest({});
  expect(result.code).toBe(1);
  expect(result.stderr).toContain("no alert channel is configured: set SMTP_URL and ALERT_EMAIL_TO");
});
