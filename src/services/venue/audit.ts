/** Every request the venue received, newest last, so tests can prove who sent what. */

export interface AuditEntry {
  seq: number;
  at: string;
  simTime: string;
  method: string;
  path: string;
  query: string;
  status: number;
  /** The caller's User-Agent (Catalyst's broker adapter sends `catalyst-<service>/<version>`). */
  caller: string;
  keyId: string | null;
  /** The request body of a write, as sent. */
  body: unknown;
  fault: string | null;
  durationMs: number;
}

export interface AuditQuery {
  afterSeq?: number;
  method?: string;
  pathPrefix?: string;
  caller?: string;
  limit: number;
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function isWrite(method: string): boolean {
  return WRITE_METHODS.has(method);
}

export class AuditLog {
  private readonly entries: AuditEntry[] = [];
  private seq = 0;

  /**
   * The newest `capacity` requests. Tests read the audit from a mark taken just before what they
   * prove, never a whole day back; a bound of 200,000 grew the one-process sim by tens of MB a week.
   */
  constructor(private readonly capacity = 20_000) {}

  record(entry: Omit<AuditEntry, "seq">): AuditEntry {
    const full = { seq: ++this.seq, ...entry };
    this.entries.push(full);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return full;
  }

  query(query: AuditQuery): AuditEntry[] {
    const out: AuditEntry[] = [];
    for (const entry of this.entries) {
      if (query.afterSeq !== undefined && entry.seq <= query.afterSeq) continue;
      if (query.method && entry.method !== query.method) continue;
      if (query.pathPrefix && !entry.path.startsWith(query.pathPrefix)) continue;
      if (query.caller && !entry.caller.startsWith(query.caller)) continue;
      out.push(entry);
      if (out.length >= query.limit) break;
    }
    return out;
  }

  get lastSeq(): number {
    return this.seq;
  }
}
