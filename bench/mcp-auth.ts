/**
 * What OAuth costs an MCP tool call: get_risk_status through the SDK's client over Streamable HTTP,
 * once with the API key and once with an OAuth access token (each call then also looks the token's
 * hash up in the database), alternating call by call so the machine's noise falls on both alike.
 * The token comes from the real flow: registration, PKCE, the authorize page, the token endpoint.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { callTool, connectMcp, mcpUrl } from "../test/support/mcp.ts";
import { approve, MemoryOAuthProvider } from "../test/support/oauth.ts";
import { startBenchAppliance } from "./sim-appliance.ts";
import { fmt, median, percentile, timed } from "./stats.ts";

const CALLS = Number(process.env.BENCH_MCP_AUTH_CALLS ?? 500);
const WARMUP = 10;

const t = await startBenchAppliance(["venue", "risk", "orchestration"]);
const url = mcpUrl(t.config);

const provider = new MemoryOAuthProvider("bench connector");
const connect = (transport: StreamableHTTPClientTransport) => new Client({ name: "bench", version: "1" }).connect(transport);
await connect(new StreamableHTTPClientTransport(url, { authProvider: provider })).catch((error) => {
  if (!(error instanceof UnauthorizedError)) throw error;
});
await new StreamableHTTPClientTransport(url, { authProvider: provider }).finishAuth(await approve(provider.authorizationUrl!, t.key, true));

const withKey = await connectMcp(url, { "x-api-key": t.key });
const withToken = await connectMcp(url, { authorization: `Bearer ${provider.saved!.access_token}` });
const ms = { key: [] as number[], token: [] as number[] };
for (let i = 0; i < WARMUP + CALLS; i++) {
  for (const [name, client] of [["key", withKey], ["token", withToken]] as const) {
    const took = await timed(async () => {
      const answer = await callTool(client, "get_risk_status");
      if (answer.isError) throw new Error(`get_risk_status with the ${name}: ${JSON.stringify(answer.structuredContent)}`);
    });
    if (i >= WARMUP) ms[name].push(took);
  }
}
await withKey.close();
await withToken.close();
await t.stop();

const p50p99 = (xs: number[]) => `p50 ${fmt(median(xs), 2)} ms, p99 ${fmt(percentile(xs, 99), 2)} ms`;
console.log(`\nMCP auth overhead (get_risk_status, SDK client, embedded database, ${CALLS} calls each, alternating)`);
console.log(`  API key (X-API-Key)                  ${p50p99(ms.key)}`);
console.log(`  OAuth bearer token                   ${p50p99(ms.token)}`);
console.log(`  token lookup overhead p50            +${fmt(median(ms.token) - median(ms.key), 2)} ms`);
