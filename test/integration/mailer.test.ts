/** The mail adapter against a real SMTP server: delivery, and failures that never show the password. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createMailer } from "../../src/adapters/mail/mailer.ts";
import { SINK_PASSWORD, SINK_USER, startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";

const addresses = { alertEmailTo: "desk@example.com", alertEmailFrom: "catalyst@example.com" };
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(() => sink?.stop());

test("no SMTP_URL → no mailer", () => {
  expect(createMailer({ smtpUrl: null, alertEmailTo: null, alertEmailFrom: null })).toBeNull();
});

test("sends from and to the configured addresses", async () => {
  await createMailer({ smtpUrl: sink.url, ...addresses })!.send({ subject: "s", text: "body", html: "<p>body</p>" });
  const mail = sink.messages.at(-1)!;
  expect([mail.subject, mail.text?.trim(), mail.html]).toEqual(["s", "body", "<p>body</p>"]);
  expect(mail.from?.text).toBe("catalyst@example.com");
});

test("a refused login fails with the server's reason and without the password, raw or URL-encoded", async () => {
  const wrong = `${SINK_PASSWORD}-wrong`;
  const mailer = createMailer({ smtpUrl: `smtp://${SINK_USER}:${encodeURIComponent(wrong)}@127.0.0.1:${sink.port}`, ...addresses })!;
  const error = await mailer.send({ subject: "s", text: "t" }).then(() => null, (e: Error) => e);
  expect(error?.message).toContain("e-mail to desk@example.com failed: Invalid login");
  expect(error?.message).not.toContain(wrong);
  expect(error?.message).not.toContain(encodeURIComponent(wrong));
});
