/**
 * At most one emit per key per window: the first push emits at once (a fill is news now), pushes
 * inside the window fold into one emit when it ends, which opens the next window.
 */
export interface Timers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as Timer),
};

export class Coalescer<K> {
  private readonly windows = new Map<K, { pending: boolean; handle: unknown }>();

  constructor(
    private readonly windowMs: number,
    private readonly emit: (key: K) => void,
    private readonly timers: Timers = realTimers,
  ) {}

  push(key: K): void {
    const window = this.windows.get(key);
    if (window) {
      window.pending = true;
      return;
    }
    this.emit(key);
    this.open(key);
  }

  /** Drops every open window and what was pending in it. */
  clear(): void {
    for (const window of this.windows.values()) this.timers.clear(window.handle);
    this.windows.clear();
  }

  /** Drops one key's window (its pending emit with it). */
  drop(key: K): void {
    const window = this.windows.get(key);
    if (window) this.timers.clear(window.handle);
    this.windows.delete(key);
  }

  private open(key: K): void {
    const window = {
      pending: false,
      handle: this.timers.set(() => {
        this.windows.delete(key);
        if (!window.pending) return;
        this.emit(key);
        this.open(key);
      }, this.windowMs),
    };
    this.windows.set(key, window);
  }
}
