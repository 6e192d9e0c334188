/**
 * A loopback webhook receiver for alerts: keeps every delivery with whether its signature
 * (X-Catalyst-Signature over `<timestamp>.<body>`) verified against the shared secret.
 * `failNext` answers the next N deliveries 503, to exercise the sender's retries.
 */
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from "../../src/domain/alerts/signature.ts";

export interface WebhookDelivery {
  receivedAt: number;
  verified: boolean;
  /** The X-Priority header (ntfy's 5/4/3). */
  priorityHeader: string | null;
  body: { priority: string; title: string; events: { kind: string; key: string; priority: string; at: string }[] };
}

export interface WebhookSink {
  url: string;
  secret: string;
  deliveries: WebhookDelivery[];
  /** Deliveries answered 503 so far. */
  refused: number;
  failNext(n: number): void;
  /** Called with each accepted delivery (the bench times them). */
  onDelivery: ((delivery: WebhookDelivery) => void) | null;
  /** Every event of every verified delivery of `kind`. */
  eventsOf(kind: string): WebhookDelivery["body"]["events"];
  stop(): void;
}

export function startWebhookSink(secret = "test-webhook-secret-0123456789"): WebhookSink {
  let failures = 0;
  const sink: WebhookSink = {
    url: "",
    secret,
    deliveries: [],
    refused: 0,
    failNext: (n) => void (failures = n),
    onDelivery: null,
    eventsOf: (kind) => sink.deliveries.filter((d) => d.verified).flatMap((d) => d.body.events.filter((e) => e.kind === kind)),
    stop: () => server.stop(true),
  };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const raw = await request.text();
      if (failures > 0) {
        failures--;
        sink.refused++;
        return new Response("busy", { status: 503 });
      }
      const headers = { signature: request.headers.get(SIGNATURE_HEADER), timestamp: request.headers.get(TIMESTAMP_HEADER) };
      const verified = verifyWebhook(secret, headers, raw, Math.floor(Date.now() / 1000));
      const delivery = { receivedAt: performance.now(), verified, priorityHeader: request.headers.get("x-priority"), body: JSON.parse(raw) };
      sink.deliveries.push(delivery);
      sink.onDelivery?.(delivery);
      return new Response(null, { status: delivery.verified ? 204 : 401 });
    },
  });
  sink.url = `http://127.0.0.1:${server.port}/hook?token=abc`;
  return sink;
}
