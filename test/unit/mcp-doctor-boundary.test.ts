/** The doctor can never clear the emergency stop: none of its code reaches the clear route or the MCP tool. */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../../src");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("the doctor and the emergency stop", () => {
  test("no doctor code path imports the clear route, the MCP tools or names clear_emergency_stop", () => {
    const doctorFiles = [...sources(join(ROOT, "doctor")), ...sources(join(ROOT, "domain/doctor")), join(ROOT, "services/trading/doctor-routes.ts")];
    expect(doctorFiles.length).toBeGreaterThan(5);
    for (const file of doctorFiles) {
      const text = readFileSync(file, "utf8");
      expect({ file, clearRoute: text.includes("clearEmergencyStopRoute"), tool: text.includes("clear_emergency_stop"), mcp: /orchestration\/mcp/.test(text) }).toEqual({
        file,
        clearRoute: false,
        tool: false,
        mcp: false,
      });
    }
  });
});
