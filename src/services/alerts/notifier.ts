/**
 * The notifier: bus messages → AlertDesk decisions → every channel, retried with back-off. It never
 * blocks the publisher (the bus handler only queues) and a failing channel is logged, not thrown.
 */
import type { Bus } from "../../adapters/bus/bus.ts";
import type { BusMessage } from "../../contracts/bus.ts";
import { AlertDesk, type AlertPolicy, type Outgoing } from "../../domain/alerts/desk.ts";
import { alertFromMessage, type AlertEvent } from "../../domain/alerts/events.ts";
import { alertText, summaryText, type AlertText, type DaySummary } from "../../domain/alerts/message.ts";
import { errorMessage } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import type { Channel, ChannelName } from "./channels.ts";

export interface RetryPolicy {
  attempts: number;
  /** Before the 2nd attempt; ×4 before each one after. */
  firstDelayMs: number;
}

/** The first delay is ALERT_RETRY_SECONDS in serve (1 s by default). */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, firstDelayMs: 1_000 };

/** How long a stop waits for deliveries still under way: a dead webhook must not hold up a shutdown. */
const STOP_GRACE_MS = 5_000;

export interface ChannelOutcome {
  channel: ChannelName;
  target: string;
  ok: boolean;
  attempts: number;
  error?: string;
  /** Not sent on purpose (the doctor e-mails this alert itself). */
  skipped?: string;
}

export class Notifier {
  private readonly desk: AlertDesk;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly unsubscribes: (() => void)[] = [];
  private batchTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly channels: Channel[],
    private readonly log: Logger,
    policy: AlertPolicy,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.desk = new AlertDesk(policy);
  }

  /** Subscribes to the channels that carry alerts on `bus`; several buses may feed one notifier (dedupe merges them). */
  listen(bus: Pick<Bus, "subscribe">): void {
    for (const channel of ["risk_alert", "order_filled"] as const) this.unsubscribes.push(bus.subscribe(channel, (message) => this.receive(message)));
  }

  receive(message: BusMessage): void {
    const event = alertFromMessage(message);
    if (event) this.offer(event);
  }

  offer(event: AlertEvent): void {
    if (this.stopped) return;
    const admission = this.desk.offer(event, Date.now());
    if (admission.action === "send") this.track(this.deliver(admission.outgoing));
    else if (admission.action === "batched") this.scheduleBatch();
  }

  /** The day's summary, with the info events gathered since the last one. */
  summarize(summary: Omit<DaySummary, "notes">): Promise<ChannelOutcome[]> {
    const full: DaySummary = { ...summary, notes: this.desk.takeDigest() };
    return this.track(this.send({ priority: "info", events: full.notes }, summaryText(full)));
  }

  /** Sends one message now, past the desk (what `catalyst alerts test` uses). */
  deliver(outgoing: Outgoing): Promise<ChannelOutcome[]> {
    return this.send(outgoing, alertText(outgoing));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    if (this.batchTimer) clearTimeout(this.batchTimer);
    // What is waiting in the batch goes now rather than never.
    const last = this.desk.due(Number.POSITIVE_INFINITY);
    if (last) this.track(this.deliver(last));
    let grace: ReturnType<typeof setTimeout> | undefined;
    const settled = Promise.allSettled([...this.inFlight]).then(() => true);
    const timedOut = new Promise<boolean>((resolve) => (grace = setTimeout(() => resolve(false), STOP_GRACE_MS)));
    if (!(await Promise.race([settled, timedOut]))) {
      this.log.warn("stopping with alerts still being delivered; they are dropped", { inFlight: this.inFlight.size });
    }
    clearTimeout(grace);
  }

  private scheduleBatch(): void {
    if (this.batchTimer || this.stopped) return;
    const dueAt = this.desk.nextDueAt(Date.now());
    if (dueAt === null) return;
    this.batchTimer = setTimeout(() => {
      this.batchTimer = null;
      const outgoing = this.desk.due(Date.now());
      if (outgoing) this.track(this.deliver(outgoing));
      this.scheduleBatch();
    }, Math.max(0, dueAt - Date.now()));
  }

  private async send(outgoing: Outgoing, message: AlertText): Promise<ChannelOutcome[]> {
    const outcomes = await Promise.all(this.channels.map((channel) => this.sendWithRetry(channel, outgoing, message)));
    const kinds = [...new Set(outgoing.events.map((e) => e.kind))];
    for (const outcome of outcomes) {
      if (outcome.skipped) continue;
      if (outcome.ok) this.log.info("alert sent", { channel: outcome.channel, priority: outgoing.priority, kinds, attempts: outcome.attempts });
      else this.log.error("alert not delivered", { channel: outcome.channel, target: outcome.target, priority: outgoing.priority, kinds, attempts: outcome.attempts, error: outcome.error });
    }
    if (this.channels.length === 0) this.log.warn("alert not sent: no channel configured (SMTP_URL, ALERT_WEBHOOK_URL)", { priority: outgoing.priority, subject: message.subject });
    return outcomes;
  }

  private async sendWithRetry(channel: Channel, outgoing: Outgoing, message: AlertText): Promise<ChannelOutcome> {
    const base = { channel: channel.name, target: channel.target };
    if (channel.name === "email" && outgoing.events.length > 0 && outgoing.events.every((e) => e.emailedElsewhere)) {
      return { ...base, ok: true, attempts: 0, skipped: "the doctor e-mails this alert itself" };
    }
    let error = "";
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      try {
        await channel.send(outgoing.priority, message, outgoing.events);
        return { ...base, ok: true, attempts: attempt };
      } catch (failure) {
        error = errorMessage(failure);
        if (attempt < this.retry.attempts) {
          this.log.warn("alert channel failed; retrying", { channel: channel.name, attempt, error });
          await Bun.sleep(this.retry.firstDelayMs * 4 ** (attempt - 1));
        }
      }
    }
    return { ...base, ok: false, attempts: this.retry.attempts, error };
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }
}
