/**
 * `catalyst mcp --stdio`: the same MCP server for a Claude Desktop on this machine, over stdin and
 * stdout, talking to the running appliance's services with the appliance's API key. Stdout carries
 * only the protocol.
 */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Config } from "../../../config.ts";
import { resolveApiKey } from "../../../runtime/api-key.ts";
import { ServiceClient } from "../../../runtime/client.ts";
import { createMcpDeps } from "./deps.ts";
import { createMcpServer } from "./server.ts";

export async function serveMcpOverStdio(config: Config): Promise<void> {
  const { key } = resolveApiKey(config);
  const server = createMcpServer(createMcpDeps(ServiceClient.fromConfig(config, key), config.mode));
  const closed = new Promise<void>((resolve) => (server.onclose = resolve));
  await server.connect(new StdioServerTransport());
  process.stdin.once("end", () => void server.close());
  await closed;
}
