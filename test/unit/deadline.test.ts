import { describe, expect, test } from "bun:test";
import { DeadlineExceeded, withDeadline } from "../../src/runtime/deadline.ts";

describe("withDeadline", () => {
  test("passes on what finishes in time", async () => {
    expect(await withDeadline(Promise.resolve(7), 1_000, "the work")).toBe(7);
    await expect(withDeadline(Promise.reject(new Error("boom")), 1_000, "the work")).rejects.toThrow("boom");
  });
  test("abandons what never finishes, naming it", async () => {
    const hung = new Promise<never>(() => undefined);
    const error = await withDeadline(hung, 5, "the order sync").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceeded);
    expect((error as Error).message).toBe("the order sync did not finish within 5 ms");
  });
});
