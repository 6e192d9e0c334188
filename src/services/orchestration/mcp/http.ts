/**
 * MCP over Streamable HTTP at /mcp, with the SDK's web-standard transport: one transport and server
 * per session (created by `initialize`, found by the Mcp-Session-Id header afterwards), closed on
 * DELETE or after being idle. Each request passes the gate first: Host and Origin (DNS rebinding),
 * then the caller — the API key or an OAuth access token — then a bounded body; a tool that can change
 * exposure needs a token's `trade` scope.
 * With a live feed, each session also gets its subscribed resource updates and log notices on its
 * GET SSE stream; a session listening on that stream is not idle, however long it stays quiet.
 */
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { AllowedOrigins } from "../../../domain/oauth/request-origin.ts";
import type { Logger } from "../../../runtime/log.ts";
import { repeatEvery } from "../../../runtime/repeat.ts";
import type { McpDeps } from "./deps.ts";
import type { LiveFeed, LiveSession } from "./live.ts";
import { BodyTooLarge, readBoundedText, refuseForeignRequest, tooLarge } from "./auth/guard.ts";
import type { OAuth } from "./auth/oauth.ts";
import { scopeRefusal } from "./auth/tool-scope.ts";
import { createMcpServer } from "./server.ts";

export const MCP_PATH = "/mcp";
const IDLE_MS = 30 * 60_000;
/** Under Bun's 10 s idle timeout, which would otherwise cut a quiet GET SSE stream. */
const SSE_KEEP_ALIVE_MS = 5_000;
/** A JSON-RPC message or batch; the largest real one (a tool call with its arguments) is a few KB. */
export const MCP_MAX_BODY_BYTES = 1024 * 1024;

/** Who may reach the endpoint and how callers are proven; null only where the caller checks access itself (unit tests). */
export interface McpGate {
  access: AllowedOrigins;
  oauth: OAuth;
}

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: Server;
  live: LiveSession | null;
  lastSeen: number;
  /** Open GET SSE streams (the SDK allows one). */
  streams: number;
}

const jsonRpcError = (status: number, code: number, message: string) =>
  Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });

export function createMcpEndpoint(deps: McpDeps, log: Logger, feed: LiveFeed | null = null, gate: McpGate | null = null) {
  const sessions = new Map<string, Session>();

  async function close(id: string): Promise<void> {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    session.live?.close();
    await session.server.close().catch(() => undefined);
  }

  /** Closes the sessions idle since before now − IDLE_MS; one with an open stream is listening, not idle. */
  async function closeIdle(now = Date.now()): Promise<void> {
    const cutoff = now - IDLE_MS;
    for (const [id, session] of sessions) if (session.streams === 0 && session.lastSeen < cutoff) await close(id);
  }
  const sweep = repeatEvery(60, () => closeIdle());

  /** The transport's options for an admitted request, or the refusal to answer instead. peer: the socket's address. */
  async function admit(request: Request, peer: string | null): Promise<{ parsedBody?: unknown; authInfo?: AuthInfo } | Response> {
    if (gate === null) return {};
    const refused = refuseForeignRequest(request, gate.access);
    if (refused) return refused;
    const caller = await gate.oauth.authenticate(request, peer);
    if (caller instanceof Response) return caller;
    if (request.method !== "POST") return { authInfo: caller.authInfo };
    let parsedBody: unknown;
    try {
      parsedBody = JSON.parse(await readBoundedText(request, MCP_MAX_BODY_BYTES));
    } catch (error) {
      if (error instanceof BodyTooLarge) return tooLarge(MCP_MAX_BODY_BYTES);
      return jsonRpcError(400, -32700, "Parse error: the body is not JSON");
    }
    return scopeRefusal(parsedBody, caller.authInfo, request.headers.get("host")!) ?? { parsedBody, authInfo: caller.authInfo };
  }

  async function handle(request: Request, peer: string | null = null): Promise<Response> {
    const options = await admit(request, peer);
    if (options instanceof Response) return options;
    const sessionId = request.headers.get("mcp-session-id");
    if (sessionId) {
      const session = sessions.get(sessionId);
      if (!session) return jsonRpcError(404, -32001, "unknown or expired MCP session: start a new one with initialize");
      session.lastSeen = Date.now();
      const response = await session.transport.handleRequest(request, options);
      return request.method === "GET" ? countedStream(session, request, response) : response;
    }
    if (request.method !== "POST") return jsonRpcError(400, -32000, "no Mcp-Session-Id: a session starts with an initialize POST");
    const server = createMcpServer(deps, { live: feed !== null });
    const live = feed?.attach(server) ?? null;
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      enableJsonResponse: true,
      keepAliveMs: SSE_KEEP_ALIVE_MS,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, live, lastSeen: Date.now(), streams: 0 });
        live?.start(id);
        log.info("mcp session opened", { session: id });
      },
      onsessionclosed: (id) => {
        void close(id);
        log.info("mcp session closed", { session: id });
      },
    });
    await server.connect(transport);
    const response = await transport.handleRequest(request, options);
    // Not an initialize (or a failed one): nothing to keep.
    if (transport.sessionId === undefined || !sessions.has(transport.sessionId)) {
      live?.close();
      await server.close().catch(() => undefined);
    }
    return response;
  }

  return {
    handle,
    closeIdle,
    sessions: () => sessions.size,
    async stop() {
      sweep.stop();
      feed?.stop();
      await Promise.all([...sessions.keys()].map(close));
    },
  };
}

/** Counts an SSE response in session.streams until its request ends (the client went, or the stream was closed). */
function countedStream(session: Session, request: Request, response: Response): Response {
  if (!response.headers.get("content-type")?.includes("text/event-stream")) return response;
  session.streams++;
  request.signal.addEventListener(
    "abort",
    () => {
      session.streams--;
      session.lastSeen = Date.now();
    },
    { once: true },
  );
  return response;
}
