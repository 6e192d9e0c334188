import { describe, expect, test } from "bun:test";
import { Coalescer, type Timers } from "../../src/services/orchestration/mcp/coalesce.ts";

/** Timers run by hand: fire(ms) runs whatever is due by then. */
function manualTimers() {
  let now = 0;
  let next = 1;
  const due = new Map<number, { at: number; run: () => void }>();
  const timers: Timers = {
    set: (run, ms) => {
      const id = next++;
      due.set(id, { at: now + ms, run });
      return id;
    },
    clear: (handle) => void due.delete(handle as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...due].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at > now || !due.has(id)) continue;
      due.delete(id);
      t.run();
    }
  };
  return { timers, advance, open: () => due.size };
}

describe("coalescer: at most one emit per key per window", () => {
  test("the first push emits at once; a burst inside the window is one emit when it ends", () => {
    const { timers, advance } = manualTimers();
    const emitted: string[] = [];
    const c = new Coalescer<string>(250, (k) => emitted.push(k), timers);
    c.push("positions");
    expect(emitted).toEqual(["positions"]);
    for (let i = 0; i < 10; i++) c.push("positions");
    advance(249);
    expect(emitted).toEqual(["positions"]);
    advance(1);
    expect(emitted).toEqual(["positions", "positions"]);
    // That trailing emit opened a new window; nothing pending in it: no third emit.
    advance(1000);
    expect(emitted).toEqual(["positions", "positions"]);
  });

  test("keys have their own windows", () => {
    const { timers, advance } = manualTimers();
    const emitted: string[] = [];
    const c = new Coalescer<string>(250, (k) => emitted.push(k), timers);
    c.push("a");
    c.push("b");
    c.push("a");
    expect(emitted).toEqual(["a", "b"]);
    advance(250);
    expect(emitted).toEqual(["a", "b", "a"]);
  });

  test("a quiet key emits at once again after its window", () => {
    const { timers, advance } = manualTimers();
    const emitted: string[] = [];
    const c = new Coalescer<string>(250, (k) => emitted.push(k), timers);
    c.push("a");
    advance(300);
    c.push("a");
    expect(emitted).toEqual(["a", "a"]);
  });

  test("drop and clear discard what was pending, and leave no timer behind", () => {
    const { timers, advance, open } = manualTimers();
    const emitted: string[] = [];
    const c = new Coalescer<string>(250, (k) => emitted.push(k), timers);
    c.push("a");
    c.push("a");
    c.push("b");
    c.push("b");
    c.drop("a");
    expect(open()).toBe(1);
    c.clear();
    expect(open()).toBe(0);
    advance(1000);
    expect(emitted).toEqual(["a", "b"]);
  });
});
