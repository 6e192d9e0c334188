/**
 * When each alert goes out, decided without I/O (the caller passes the time): critical at once,
 * warnings gathered for a short window and sent as one message, info kept for the day's summary;
 * the same key inside the dedupe window is dropped; at most `maxPerMinute` messages a minute —
 * over it, a critical alert waits in the batch instead of being lost.
 */
import type { AlertEvent, Priority } from "./events.ts";

export interface AlertPolicy {
  dedupeMs: number;
  batchMs: number;
  maxPerMinute: number;
}

export const DEFAULT_POLICY: AlertPolicy = { dedupeMs: 15 * 60_000, batchMs: 60_000, maxPerMinute: 10 };

/** One message to every channel: a single alert, a batch of them, or the day's summary. */
export interface Outgoing {
  priority: Priority;
  events: AlertEvent[];
}

export type Admission = { action: "send"; outgoing: Outgoing } | { action: "batched" | "digest" | "duplicate" };

const MINUTE_MS = 60_000;
/** Info events kept for the summary; a runaway day must not grow memory without end. */
const MAX_DIGEST = 500;

export class AlertDesk {
  private readonly lastSeen = new Map<string, number>();
  private batch: AlertEvent[] = [];
  private batchSince: number | null = null;
  private digest: AlertEvent[] = [];
  private sentAt: number[] = [];

  constructor(private readonly policy: AlertPolicy = DEFAULT_POLICY) {}

  offer(event: AlertEvent, now: number): Admission {
    this.forgetBefore(now - this.policy.dedupeMs);
    if (this.lastSeen.has(event.key)) return { action: "duplicate" };
    this.lastSeen.set(event.key, now);
    if (event.priority === "info") {
      if (this.digest.length < MAX_DIGEST) this.digest.push(event);
      return { action: "digest" };
    }
    if (event.priority === "critical" && this.maySend(now)) {
      this.sentAt.push(now);
      return { action: "send", outgoing: { priority: "critical", events: [event] } };
    }
    this.batch.push(event);
    this.batchSince ??= now;
    return { action: "batched" };
  }

  /** The batch, once its window has passed and the rate allows; null otherwise. */
  due(now: number): Outgoing | null {
    if (this.batchSince === null || now - this.batchSince < this.policy.batchMs || !this.maySend(now)) return null;
    const events = this.batch;
    this.batch = [];
    this.batchSince = null;
    this.sentAt.push(now);
    return { priority: events.some((e) => e.priority === "critical") ? "critical" : "warning", events };
  }

  /** When due() may next have something (null: nothing is waiting). */
  nextDueAt(now: number): number | null {
    if (this.batchSince === null) return null;
    const windowEnd = this.batchSince + this.policy.batchMs;
    const rateFree = this.sentAt.length >= this.policy.maxPerMinute ? this.sentAt[this.sentAt.length - this.policy.maxPerMinute]! + MINUTE_MS : now;
    return Math.max(windowEnd, rateFree);
  }

  /** The info events since the last summary, handed over once. */
  takeDigest(): AlertEvent[] {
    const events = this.digest;
    this.digest = [];
    return events;
  }

  private maySend(now: number): boolean {
    this.sentAt = this.sentAt.filter((at) => at > now - MINUTE_MS);
    return this.sentAt.length < this.policy.maxPerMinute;
  }

  private forgetBefore(cutoff: number): void {
    // Keys are inserted once, in time order: the expired ones are at the front.
    for (const [key, at] of this.lastSeen) {
      if (at > cutoff) break;
      this.lastSeen.delete(key);
    }
  }
}
