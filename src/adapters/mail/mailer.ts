/** Escalation e-mail over SMTP (nodemailer), to ALERT_EMAIL_TO from ALERT_EMAIL_FROM. */
import type { Transporter } from "nodemailer";
import type { Config } from "../../config.ts";
import { errorMessage } from "../../runtime/errors.ts";

export interface MailMessage {
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  /** The recipients, for logs. */
  readonly to: string;
  /** Resolves once the server accepted the message; rejects with an error that never holds the SMTP password. */
  send(message: MailMessage): Promise<void>;
}

// A hung server must fail a send in seconds, not nodemailer's default minutes: a sweep waits for it.
const TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000, dnsTimeout: 10_000 };

/** null when SMTP_URL is not set: escalations are then only logged. */
export function createMailer(config: Pick<Config, "smtpUrl" | "alertEmailTo" | "alertEmailFrom">): Mailer | null {
  const { smtpUrl, alertEmailTo: to, alertEmailFrom: from } = config;
  if (smtpUrl === null || to === null || from === null) return null;
  // nodemailer is loaded at the first send: most installations never mail, and the doctor runs in three places.
  let transport: Promise<Transporter> | null = null;
  const transporter = () => (transport ??= import("nodemailer").then(({ createTransport }) => createTransport({ url: smtpUrl, ...TIMEOUTS })));
  const redact = secretRedactor(smtpUrl);
  return {
    to,
    async send(message) {
      try {
        await (await transporter()).sendMail({ from, to, ...message });
      } catch (error) {
        throw new Error(`e-mail to ${to} failed: ${redact(errorMessage(error))}`);
      }
    },
  };
}

/** Removes the URL's password, as written and decoded, from a server's or library's message. */
function secretRedactor(smtpUrl: string): (text: string) => string {
  const raw = new URL(smtpUrl).password;
  const secrets = [...new Set([raw, decodeURIComponent(raw)])].filter((s) => s !== "");
  return (text) => secrets.reduce((out, secret) => out.split(secret).join("***"), text);
}
