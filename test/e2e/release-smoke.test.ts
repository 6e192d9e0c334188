/**
 * The release smoke: the built binary from an empty directory, behind the real Caddy with the
 * repository's Caddyfile: every /health, one MCP call through Caddy, the reporting page's auth,
 * nothing else reachable; SIGTERM → 0; a restart on the same data dir keeps a changed risk limit.
 * And no secret from the configuration ever reaches its output, on either database.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { join } from "node:path";
import { SERVICE_PORT_OFFSETS } from "../../src/runtime/services.ts";
import { allHealthy, releaseBinary, serveBinary } from "../support/binary.ts";
import { freePortBase, freshPostgresDatabase, tempDir, waitFor } from "../support/env.ts";

const root = join(import.meta.dir, "../..");
const API_KEY = "smoke-key-7f3a9c1e5b2d4f6a8c0e";
const ALPACA_SECRET = "alpaca-secret-Qw8Zx2Lk9Pm4";
const SMTP_PASSWORD = "smtp-pass-Vb7Nc3Hd1";
const DB_PASSWORD = "db-pass-Tg5Rf8Ys2";
const SECRETS = [API_KEY, ALPACA_SECRET, SMTP_PASSWORD, DB_PASSWORD];
/** Sim mode with every secret configured (the Alpaca keys are not used in sim mode, only held). */
const SECRET_ENV = {
  CATALYST_MODE: "sim",
  CATALYST_API_KEY: API_KEY,
  ALPACA_KEY_ID: "AKSMOKE",
  ALPACA_SECRET_KEY: ALPACA_SECRET,
  SMTP_URL: `smtp://alerts:${SMTP_PASSWORD}@127.0.0.1:2525`,
  ALERT_EMAIL_TO: "trader@example.com",
  CATALYST_LOG_LEVEL: "debug",
};

const work = tempDir("catalyst-smoke-");
afterAll(() => work.remove());

type Served = ReturnType<typeof serveBinary>;

async function stop(child: Served): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  child.kill("SIGTERM");
  const [exitCode, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  return { exitCode, stdout, stderr };
}

/** Caddy with the repository's Caddyfile on a loopback port, in front of the appliance at `base`. */
async function startCaddy(base: number): Promise<{ url: string; stop(): Promise<void> }> {
  const [port, admin] = [await freePortBase(), await freePortBase()];
  const hash = Bun.spawnSync(["caddy", "hash-password", "--plaintext", "report-pw"], { stdout: "pipe" }).stdout.toString().trim();
  const caddy = Bun.spawn(["caddy", "run", "--adapter", "caddyfile", "--config", join(root, "Caddyfile")], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: work.path,
      XDG_DATA_HOME: work.path,
      XDG_CONFIG_HOME: work.path,
      // http:// keeps Caddy from asking Let's Encrypt for a certificate.
      CATALYST_DOMAIN: `http://127.0.0.1:${port}`,
      CATALYST_API_KEY: API_KEY,
      CATALYST_REPORT_USER: "trader",
      CATALYST_REPORT_HASH: hash,
      CATALYST_ORCHESTRATION_ADDR: `127.0.0.1:${base + SERVICE_PORT_OFFSETS.orchestration}`,
      CATALYST_REPORTING_ADDR: `127.0.0.1:${base + SERVICE_PORT_OFFSETS.reporting}`,
      CADDY_ADMIN: `127.0.0.1:${admin}`,
    },
    stdout: "ignore",
    stderr: "pipe",
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor("caddy", async () => (await fetch(`${url}/health`)).status === 200, 15_000);
  return {
    url,
    async stop() {
      caddy.kill("SIGTERM");
      await caddy.exited;
    },
  };
}

/** Nothing secret anywhere in the output, and all of it (journald keeps both streams) one JSON object per line naming its service and level. */
function expectCleanLog({ stdout, stderr }: { stdout: string; stderr: string }): void {
  for (const secret of SECRETS) expect(stdout + stderr).not.toContain(secret);
  const logLines = `${stdout}\n${stderr}`.split("\n").filter((line) => line.trim() !== "");
  expect(logLines.length).toBeGreaterThan(0);
  for (const line of logLines) {
    const entry = JSON.parse(line) as Record<string, unknown>;
    expect(typeof entry.service).toBe("string");
    expect(["debug", "info", "warn", "error"]).toContain(entry.level as string);
  }
}

describe("release smoke", () => {
  test("empty dir → healthy behind Caddy → MCP call → SIGTERM 0 → restart keeps the data", async () => {
    const base = await freePortBase();
    const dataDir = join(work.path, "data");
    const env = { ...SECRET_ENV, CATALYST_DATA_DIR: dataDir, CATALYST_PORT_BASE: String(base) };
    const risk = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${base + SERVICE_PORT_OFFSETS.risk}${path}`, { ...init, headers: { "x-api-key": API_KEY, "content-type": "application/json" } });

    let child = serveBinary(work.path, env);
    const caddy = await startCaddy(base).catch(async (error) => {
      await stop(child);
      throw error;
    });
    try {
      for (const body of await allHealthy(base)) expect(body).toMatchObject({ status: "ok", mode: "sim" });

      const client = new Client({ name: "release-smoke", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${caddy.url}/mcp`), { requestInit: { headers: { "x-api-key": API_KEY } } }));
      const status = (await client.callTool({ name: "get_risk_status", arguments: {} })) as { isError?: boolean; structuredContent?: any };
      await client.close();
      expect(status.isError).toBeFalsy();
      expect(status.structuredContent.mode).toBe("sim");

      // Only /mcp, its OAuth endpoints, /health and the reporting page are reachable from outside.
      expect((await fetch(`${caddy.url}/health`)).status).toBe(200);
      const oauth = await fetch(`${caddy.url}/.well-known/oauth-authorization-server`);
      expect(oauth.status).toBe(200);
      expect(((await oauth.json()) as { token_endpoint: string }).token_endpoint).toBe(`${caddy.url}/token`);
      expect((await fetch(`${caddy.url}/mcp`, { method: "POST", headers: { "x-api-key": API_KEY, origin: "https://evil.example.com" } })).status).toBe(403);
      expect((await fetch(`${caddy.url}/api/v1/risk/status`, { headers: { "x-api-key": API_KEY } })).status).toBe(404);
      expect((await fetch(`${caddy.url}/openapi`)).status).toBe(404);
      expect((await fetch(`${caddy.url}/`)).status).toBe(401);
      expect((await fetch(`${caddy.url}/`, { headers: { "x-api-key": "not-the-key-0123456789" } })).status).toBe(401);
      const page = await fetch(`${caddy.url}/`, { headers: { authorization: `Basic ${btoa("trader:report-pw")}` } });
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toContain("text/html");
      expect((await fetch(`${caddy.url}/`, { headers: { "x-api-key": API_KEY } })).status).toBe(200);
      // The cockpit and its event stream, through the same login; the stream stays open across the stop below.
      expect((await fetch(`${caddy.url}/cockpit`)).status).toBe(401);
      const login = { authorization: `Basic ${btoa("trader:report-pw")}` };
      const cockpit = await fetch(`${caddy.url}/cockpit`, { headers: login });
      expect(cockpit.status).toBe(200);
      expect(await cockpit.text()).toContain('id="s-positions"');
      const events = await fetch(`${caddy.url}/events`, { headers: login });
      expect(events.headers.get("content-type")).toContain("text/event-stream");
      expect(new TextDecoder().decode((await events.body!.getReader().read()).value)).toContain("retry:");

      const changed = await risk("/api/v1/risk/parameters", { method: "PUT", body: JSON.stringify({ changes: { maxOpenPositions: 3 }, reason: "release smoke" }) });
      expect(changed.status).toBe(200);

      // Claude Code's view: the doctor beside the running appliance (through its embedded database), exit 0.
      const doctor = Bun.spawnSync([releaseBinary(), "doctor", "--json"], { cwd: work.path, env: { PATH: process.env.PATH ?? "", HOME: work.path, ...env }, stdout: "pipe", stderr: "pipe" });
      expect({ exit: doctor.exitCode, stderr: doctor.stderr.toString() }).toEqual({ exit: 0, stderr: "" });
      expect(JSON.parse(doctor.stdout.toString())).toMatchObject({ version: "1.0", mode: "sim", status: "ok" });
    } finally {
      await caddy.stop();
    }
    const first = await stop(child);
    expect(first.exitCode).toBe(0);
    expectCleanLog(first);

    child = serveBinary(work.path, env);
    try {
      await allHealthy(base);
      const after = (await (await risk("/api/v1/risk/status")).json()) as { limits: { maxOpenPositions: number } };
      expect(after.limits.maxOpenPositions).toBe(3);
    } finally {
      const second = await stop(child);
      expect(second.exitCode).toBe(0);
      expectCleanLog(second);
    }
  }, 120_000);

  test("on PostgreSQL with a password in DATABASE_URL: no secret in the output, the log is JSON lines", async () => {
    const db = await freshPostgresDatabase();
    const url = new URL(db.url);
    url.password = DB_PASSWORD; // the machine's PostgreSQL trusts loopback: the password is carried, never checked
    const base = await freePortBase();
    const child = serveBinary(work.path, { ...SECRET_ENV, DATABASE_URL: url.toString(), CATALYST_DATA_DIR: join(work.path, "pg-data"), CATALYST_PORT_BASE: String(base) });
    try {
      await allHealthy(base);
      // A wrong key and a bad body are the requests most likely to echo what they were sent.
      const orchestration = `http://127.0.0.1:${base + SERVICE_PORT_OFFSETS.orchestration}`;
      expect((await fetch(`${orchestration}/mcp`, { method: "POST", headers: { "x-api-key": `${API_KEY}x` } })).status).toBe(401);
      const risk = `http://127.0.0.1:${base + SERVICE_PORT_OFFSETS.risk}`;
      expect((await fetch(`${risk}/api/v1/risk/parameters`, { method: "PUT", headers: { "x-api-key": API_KEY, "content-type": "application/json" }, body: `{"changes":"${API_KEY}"` })).status).toBe(400);
    } finally {
      const stopped = await stop(child);
      await db.drop();
      expect(stopped.exitCode).toBe(0);
      expectCleanLog(stopped);
    }
  }, 120_000);
});
