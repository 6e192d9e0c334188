/** Where alerts go: e-mail (the SMTP settings the doctor uses) and the signed JSON webhook. */
import { createMailer } from "../../adapters/mail/mailer.ts";
import type { Config } from "../../config.ts";
import type { AlertEvent, Priority } from "../../domain/alerts/events.ts";
import { webhookBody, type AlertText } from "../../domain/alerts/message.ts";
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from "../../domain/alerts/signature.ts";

export type ChannelName = "email" | "webhook";

export interface Channel {
  name: ChannelName;
  /** Where it goes, for logs and `catalyst alerts test` (never a secret). */
  target: string;
  /** Resolves once the other end accepted it; rejects with why not. */
  send(priority: Priority, message: AlertText, events: AlertEvent[]): Promise<void>;
}

const WEBHOOK_TIMEOUT_MS = 10_000;
/** ntfy reads X-Priority (5 max, 4 high, 3 default); Slack and Discord ignore it. */
const NTFY_PRIORITY: Record<Priority, string> = { critical: "5", warning: "4", info: "3" };

export function configuredChannels(config: Config): Channel[] {
  const channels: Channel[] = [];
  const mailer = createMailer(config);
  if (mailer) {
    channels.push({ name: "email", target: mailer.to, send: (_priority, message) => mailer.send(message) });
  }
  const { webhookUrl, webhookSecret } = config.alerts;
  if (webhookUrl && webhookSecret) channels.push(webhookChannel(webhookUrl, webhookSecret));
  return channels;
}

export function webhookChannel(url: string, secret: string): Channel {
  const target = new URL(url);
  // The URL's query may hold a token (Slack, Discord): logs show only where it goes.
  const shown = `${target.protocol}//${target.host}${target.pathname}`;
  return {
    name: "webhook",
    target: shown,
    async send(priority, message, events) {
      const body = webhookBody(priority, message, events);
      const timestamp = Math.floor(Date.now() / 1000);
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
            [TIMESTAMP_HEADER]: String(timestamp),
            "X-Priority": NTFY_PRIORITY[priority],
          },
          body,
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        });
      } catch (error) {
        throw new Error(`webhook ${shown} unreachable: ${(error as Error).message}`);
      }
      if (!response.ok) throw new Error(`webhook ${shown} answered ${response.status} ${(await response.text().catch(() => "")).slice(0, 200)}`);
    },
  };
}
