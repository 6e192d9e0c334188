/** Every step taken to bring a position flat, recorded on it (position_exit_attempts). */
import type { Sql } from "postgres";

export type ExitAttemptAction = "exit_sent" | "exit_refused" | "protected" | "protect_failed" | "exits_moved" | "exits_resized";

export async function recordAttempt(sql: Sql, positionId: number, orderId: number | null, action: ExitAttemptAction, reason: string, detail: string): Promise<void> {
  await sql`insert into position_exit_attempts (position_id, order_id, action, reason, detail)
            values (${positionId}, ${orderId}, ${action}, ${reason}, ${detail.slice(0, 500)})`;
}

export interface ExitAttempt {
  orderId: number | null;
  action: ExitAttemptAction;
  reason: string;
  detail: string;
  at: string;
}

export async function attemptsOf(sql: Sql, positionId: number): Promise<ExitAttempt[]> {
  const rows = await sql`select order_id, action, reason, detail, created_at from position_exit_attempts where position_id = ${positionId} order by attempt_id`;
  return rows.map((r) => ({ orderId: r.order_id === null ? null : Number(r.order_id), action: r.action, reason: r.reason, detail: r.detail, at: r.created_at.toISOString() }));
}
