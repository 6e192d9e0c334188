/**
 * Failed authentications per client address in a fixed window: past the limit, the address is
 * refused until its window ends, so a key or a one-time code cannot be guessed at speed.
 */
export interface FailureWindow {
  startedAt: number;
  failures: number;
}

export interface FailureLimit {
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_FAILURE_LIMIT: FailureLimit = { maxFailures: 10, windowMs: 10 * 60_000 };

/** Seconds until the address may try again; 0 when it may now. */
export function retryAfterSeconds(window: FailureWindow | undefined, limit: FailureLimit, now: number): number {
  if (!window || now >= window.startedAt + limit.windowMs || window.failures < limit.maxFailures) return 0;
  return Math.ceil((window.startedAt + limit.windowMs - now) / 1000);
}

/** The window after one more failure (a new one once the old has ended). */
export function recordFailure(window: FailureWindow | undefined, limit: FailureLimit, now: number): FailureWindow {
  if (!window || now >= window.startedAt + limit.windowMs) return { startedAt: now, failures: 1 };
  return { startedAt: window.startedAt, failures: window.failures + 1 };
}

/** Whether a window can be forgotten (it has ended). */
export const windowEnded = (window: FailureWindow, limit: FailureLimit, now: number): boolean => now >= window.startedAt + limit.windowMs;
