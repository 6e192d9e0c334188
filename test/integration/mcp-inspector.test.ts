/**
 * An independent client: the MCP Inspector's CLI mode (its own MCP client, not our SDK's) reaches
 * /mcp over Streamable HTTP with the API key, lists Catalyst's tools and calls one.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { TOOLS } from "../../src/services/orchestration/mcp/tools.ts";
import { startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { BACKENDS, tempDir } from "../support/env.ts";
import { mcpUrl } from "../support/mcp.ts";

const INSPECTOR = join(import.meta.dir, "../../node_modules/.bin/mcp-inspector");
let t: TestAppliance;
// The Inspector keeps a catalog and secrets under HOME: a throwaway one keeps the test's out of the user's.
const home = tempDir("catalyst-inspector-home-");

beforeAll(async () => {
  t = await startTestAppliance(BACKENDS.find((b) => b.name === "embedded")!, { VENUE_START: "2026-03-10T10:30" });
}, 60_000);

afterAll(async () => {
  await t?.stop();
  home.remove();
});

/** One Inspector CLI run against the appliance's /mcp, with these extra HTTP headers; never an interactive OAuth login (CI mode). */
async function runInspector(headers: string[], args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = Bun.spawn(
    ["node", INSPECTOR, "--cli", mcpUrl(t.config).toString(), "--transport", "http", ...headers.flatMap((h) => ["--header", h]), "--format", "json", "--quiet", "--stored-auth-only", ...args],
    { env: { PATH: process.env.PATH ?? "", HOME: home.path }, stdout: "pipe", stderr: "pipe" },
  );
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

/** The result of an Inspector run with the API key; its JSON output wraps it as {result}. */
async function inspector(...args: string[]): Promise<any> {
  const run = await runInspector([`X-API-Key: ${t.key}`], args);
  if (run.code !== 0) throw new Error(`inspector ${args.join(" ")} exited ${run.code}: ${run.stderr}${run.stdout}`);
  return JSON.parse(run.stdout).result;
}

test("the Inspector CLI lists every Catalyst tool with its annotations", async () => {
  const listed = await inspector("--method", "tools/list");
  expect(listed.tools.map((tool: { name: string }) => tool.name).sort()).toEqual(TOOLS.map((tool) => tool.name).sort());
  const emergencyStop = listed.tools.find((tool: { name: string }) => tool.name === "emergency_stop");
  expect(emergencyStop.annotations.destructiveHint).toBe(true);
});

test("the Inspector CLI lists the prompts a trader picks from", async () => {
  const listed = await inspector("--method", "prompts/list");
  expect(listed.prompts.map((prompt: { name: string }) => prompt.name).sort()).toEqual(["end_of_day_review", "incident_review", "midday_check", "morning_plan"]);
});

test("the Inspector CLI calls get_risk_status: sim mode, the kill switch off", async () => {
  const called = await inspector("--method", "tools/call", "--tool-name", "get_risk_status");
  expect(called.isError).toBeFalsy();
  expect(called.structuredContent.mode).toBe("sim");
  expect(called.structuredContent.risk.mode).toBe("sim");
  expect(called.structuredContent.risk.killSwitch.active).toBe(false);
});

test("without the key the Inspector CLI is refused: auth required", async () => {
  const run = await runInspector([], ["--method", "tools/list"]);
  expect(run.code).not.toBe(0);
  expect(JSON.parse(run.stderr || run.stdout).error.code).toBe("auth_required");
});
