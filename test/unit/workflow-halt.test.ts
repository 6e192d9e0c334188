import { describe, expect, test } from "bun:test";
import { CYCLE_STATES, canTransition } from "../../src/domain/workflow/cycle-states.ts";
import { cycleHaltReason, haltable } from "../../src/domain/workflow/halt.ts";

const clear = { killSwitch: { active: false, reason: null }, halted: null };

describe("cycleHaltReason", () => {
  test("nothing blocks entries: no halt", () => {
    expect(cycleHaltReason(clear)).toBeNull();
  });
  test("the emergency stop halts, naming its reason", () => {
    expect(cycleHaltReason({ ...clear, killSwitch: { active: true, reason: "broker outage" } })).toBe("emergency stop: broker outage");
  });
  test("the daily-loss halt halts with risk's own reason", () => {
    expect(cycleHaltReason({ ...clear, halted: { reason: "daily loss limit reached: ..." } })).toBe("daily loss limit reached: ...");
  });
  test("both: the emergency stop is named (it also flattens)", () => {
    expect(cycleHaltReason({ killSwitch: { active: true, reason: "x" }, halted: { reason: "y" } })).toBe("emergency stop: x");
  });
});

describe("haltable", () => {
  test("exactly the states that take entries, and each may move to halted", () => {
    expect(CYCLE_STATES.filter(haltable)).toEqual(["created", "scanning", "trading", "monitoring"]);
    for (const state of CYCLE_STATES.filter(haltable)) expect(canTransition(state, "halted")).toBe(true);
  });
});
