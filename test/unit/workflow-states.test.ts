import { describe, expect, test } from "bun:test";
import { canTransition, CYCLE_STATES, isTerminal } from "../../src/domain/workflow/cycle-states.ts";

describe("cycle state machine", () => {
  test("the day's path is allowed, step by step", () => {
    const path = ["created", "scanning", "monitoring", "trading", "monitoring", "scanning", "trading", "monitoring", "closing", "closed"] as const;
    for (let i = 1; i < path.length; i++) expect([path[i - 1], path[i], canTransition(path[i - 1]!, path[i]!)]).toEqual([path[i - 1], path[i], true]);
    expect(canTransition("scanning", "trading")).toBe(true);
    expect(canTransition("created", "closing")).toBe(true);
  });

  test("skipping ahead or going back is refused", () => {
    for (const [from, to] of [
      ["created", "trading"],
      ["created", "monitoring"],
      ["created", "closed"],
      ["monitoring", "closed"],
      ["trading", "scanning"],
      ["closing", "monitoring"],
      ["closing", "scanning"],
      ["halted", "scanning"],
      ["halted", "trading"],
      ["halted", "closed"],
      ["monitoring", "created"],
    ] as const) {
      expect([from, to, canTransition(from, to)]).toEqual([from, to, false]);
    }
  });

  test("every live state may go to error or halted; halted may go on to closing", () => {
    for (const from of CYCLE_STATES.filter((s) => !isTerminal(s))) {
      expect(canTransition(from, "error")).toBe(true);
      if (from !== "halted") expect(canTransition(from, "halted")).toBe(true);
    }
    expect(canTransition("halted", "closing")).toBe(true);
  });

  test("closed and error are terminal: nothing leaves them; no state moves to itself", () => {
    expect(CYCLE_STATES.filter(isTerminal)).toEqual(["closed", "error"]);
    for (const from of ["closed", "error"] as const) {
      for (const to of CYCLE_STATES) expect(canTransition(from, to)).toBe(false);
    }
    for (const state of CYCLE_STATES) expect(canTransition(state, state)).toBe(false);
  });
});
