/** The SDK's own MCP client on a running appliance's /mcp over Streamable HTTP, as a remote Claude Desktop connects. */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { servicePort, type Config } from "../../src/config.ts";

export const mcpUrl = (config: Config) => new URL(`http://127.0.0.1:${servicePort(config, "orchestration")}/mcp`);

export async function connectMcp(url: URL, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: "catalyst-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  return client;
}

/** A tool's answer as Catalyst shapes it: structuredContent always carries the mode, and error on failure. */
export type ToolAnswer = { isError?: boolean; structuredContent?: any; content: { type: string; text?: string }[] };

export const callTool = async (client: Client, name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as ToolAnswer;
