/** CATALYST_DOMAIN, MCP_ALLOWED_HOSTS and MCP_ALLOWED_ORIGINS: parsed to lower-case names, junk refused naming the variable. */
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config.ts";

describe("MCP access settings", () => {
  test("default: loopback only", () => {
    expect(loadConfig({}).mcpAccess).toEqual({ domain: null, hosts: [], origins: [] });
  });

  test("the domain, extra hosts and origins", () => {
    const config = loadConfig({ CATALYST_DOMAIN: "Catalyst.Example.com", MCP_ALLOWED_HOSTS: "a.example.com, b.internal", MCP_ALLOWED_ORIGINS: "https://claude.ai" });
    expect(config.mcpAccess).toEqual({ domain: "catalyst.example.com", hosts: ["a.example.com", "b.internal"], origins: ["https://claude.ai"] });
  });

  test("a scheme, a port or a path where a name belongs, and a non-origin, are refused naming the variable", () => {
    expect(() => loadConfig({ CATALYST_DOMAIN: "https://catalyst.example.com" })).toThrow("CATALYST_DOMAIN");
    expect(() => loadConfig({ CATALYST_DOMAIN: "a.example.com,b.example.com" })).toThrow("CATALYST_DOMAIN: must be a single DNS name");
    expect(() => loadConfig({ MCP_ALLOWED_HOSTS: "a.example.com:8443" })).toThrow("MCP_ALLOWED_HOSTS");
    expect(() => loadConfig({ MCP_ALLOWED_ORIGINS: "https://claude.ai/" })).toThrow("MCP_ALLOWED_ORIGINS");
  });
});
