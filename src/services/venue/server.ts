/**
 * The venue's HTTP + WebSocket front: Alpaca's key headers, Alpaca's error bodies, fault injection
 * on the API paths, an audit entry for every request, and the trade_updates stream on /stream.
 */
import type { Server, ServerWebSocket } from "bun";
import { Elysia } from "elysia";
import { keyMatches } from "../../runtime/auth.ts";
import type { Logger } from "../../runtime/log.ts";
import { VERSION } from "../../version.ts";
import { isWrite } from "./audit.ts";
import { VenueRejection } from "./exchange/types.ts";
import { adminRoutes } from "./routes/admin.ts";
import { marketDataRoutes } from "./routes/market-data.ts";
import { tradingRoutes } from "./routes/trading.ts";
import { tradeUpdateJson } from "./shapes/trading.ts";
import type { Venue } from "./venue.ts";

const STREAM_PATH = "/stream";
/** Alpaca's path has a colon, which the router would read as a parameter. */
const BY_CLIENT_ID_PATH = "/v2/orders:by_client_order_id";

interface StreamClient {
  authenticated: boolean;
  listening: boolean;
  keyId: string | null;
}

export interface VenueServer {
  listen(options: { port: number; hostname: string }): void;
  stop(closeActive?: boolean): Promise<void>;
  readonly port: number;
}

function alpacaError(status: number, code: number, message: string): Response {
  return Response.json({ code, message }, { status });
}

function errorHandling(log: Logger) {
  return new Elysia({ name: "venue-errors" }).onError({ as: "global" }, ({ code, error }) => {
    if (error instanceof VenueRejection) return alpacaError(error.status, error.code, error.message);
    if (error instanceof RangeError) return alpacaError(422, 40010001, error.message);
    if (code === "PARSE") return alpacaError(400, 40010000, "request body is not valid JSON");
    if (code === "NOT_FOUND") return alpacaError(404, 40410000, "endpoint not found");
    log.error("venue error", { error: String(error) });
    return alpacaError(500, 50010000, "internal server error; the venue log has the details");
  });
}

export function createVenueServer(venue: Venue, log: Logger): VenueServer {
  const { credentials } = venue.options;
  const startedAt = Date.now();
  const api = new Elysia().use(errorHandling(log)).use(tradingRoutes(venue)).use(marketDataRoutes(venue));
  const admin = new Elysia().use(errorHandling(log)).use(adminRoutes(venue));
  const sockets = new Set<ServerWebSocket<StreamClient>>();
  let server: Server<StreamClient> | null = null;

  venue.exchange.onEvent((event) => {
    if (sockets.size === 0) return;
    if (venue.dice.roll(venue.faults.dropStreamEventRate, "stream")) {
      log.debug("fault: dropped a trade update", { event: event.event, order: event.order.id });
      return;
    }
    const legs = event.order.legIds.length > 0 ? venue.exchange.legsOf(event.order) : null;
    const frame = JSON.stringify(tradeUpdateJson(event, legs));
    for (const socket of sockets) if (socket.data.listening) socket.send(frame);
  });

  const authorized = (keyId: string | null, secret: string | null) =>
    keyId !== null && secret !== null && keyMatches(keyId, credentials.keyId) && keyMatches(secret, credentials.secretKey);

  const health = () => {
    const clock = venue.clock.state();
    return Response.json({
      service: "venue",
      status: "ok",
      mode: "sim",
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      checks: {
        clock: { ok: true, kind: "sim-clock", detail: `${new Date(clock.now).toISOString()} at ${clock.speed}x${clock.paused ? ", paused" : ""}` },
        market: { ok: true, kind: "generator", detail: `seed ${venue.options.seed}, ${venue.market.assets().length} symbols` },
      },
    });
  };

  /** Applies the fault plan to one API request; returns a response if the fault replaces it. */
  const callApi = async (request: Request, path: string): Promise<{ response: Response; fault: string | null }> => {
    const faults = venue.faults;
    if (faults.latencyMs > 0) await Bun.sleep(faults.latencyMs);
    if (venue.dice.roll(faults.errorRate, "error")) {
      return { response: alpacaError(faults.errorStatus, 50010000, "internal server error (injected fault)"), fault: `http_${faults.errorStatus}` };
    }
    const isSubmit = request.method === "POST" && path === "/v2/orders";
    const response = await api.handle(request);
    if (!isSubmit || response.status !== 200) return { response, fault: null };
    if (venue.dice.roll(faults.rejectRate, "reject")) {
      const body = (await response.clone().json()) as { id: string };
      venue.exchange.reject(body.id, venue.now());
      return { response, fault: "reject_after_accept" };
    }
    if (venue.dice.roll(faults.dropResponseRate, "drop")) {
      // The order stands; the caller never hears back and must look it up by client_order_id.
      await Bun.sleep(faults.dropHoldMs);
      return { response: alpacaError(504, 50410000, "gateway timeout (injected fault: the order was accepted)"), fault: "drop_response" };
    }
    return { response, fault: null };
  };

  const fetch = async (incoming: Request, bunServer: Server<StreamClient>): Promise<Response | undefined> => {
    const url = new URL(incoming.url);
    if (incoming.method === "GET" && url.pathname === "/health") return health();
    if (url.pathname === STREAM_PATH) {
      if (bunServer.upgrade(incoming, { data: { authenticated: false, listening: false, keyId: null } })) return undefined;
      return alpacaError(400, 40010000, "the trade_updates stream needs a WebSocket upgrade");
    }
    const began = performance.now();
    const keyId = incoming.headers.get("apca-api-key-id");
    const secret = incoming.headers.get("apca-api-secret-key");
    const body = isWrite(incoming.method) ? await incoming.clone().text() : "";
    let path = url.pathname;
    let request = asJsonBody(incoming, body);
    if (path === BY_CLIENT_ID_PATH) {
      path = "/v2/orders/by-client-order-id";
      request = new Request(new URL(`${path}${url.search}`, url), request);
    }
    let outcome: { response: Response; fault: string | null };
    if (keyId === null || secret === null) {
      outcome = { response: alpacaError(401, 40110000, "request is not authorized: send APCA-API-KEY-ID and APCA-API-SECRET-KEY"), fault: null };
    } else if (!authorized(keyId, secret)) {
      outcome = { response: alpacaError(403, 40310000, "forbidden: the APCA-API-KEY-ID / APCA-API-SECRET-KEY pair is not valid for this venue"), fault: null };
    } else if (path.startsWith("/admin/")) {
      outcome = { response: await admin.handle(request), fault: null };
    } else {
      outcome = await callApi(request, path);
    }
    venue.audit.record({
      at: new Date().toISOString(),
      simTime: new Date(venue.clock.now()).toISOString(),
      method: incoming.method,
      path: url.pathname,
      query: url.search,
      status: outcome.response.status,
      caller: incoming.headers.get("user-agent") ?? "",
      keyId,
      body: body ? parseJsonOrText(body) : null,
      fault: outcome.fault,
      durationMs: Math.round((performance.now() - began) * 100) / 100,
    });
    return outcome.response;
  };

  const websocket = {
    open(socket: ServerWebSocket<StreamClient>) {
      sockets.add(socket);
    },
    close(socket: ServerWebSocket<StreamClient>) {
      sockets.delete(socket);
    },
    message(socket: ServerWebSocket<StreamClient>, raw: string | Buffer) {
      let frame: { action?: string; data?: { key_id?: string; secret_key?: string; streams?: unknown } };
      try {
        frame = JSON.parse(String(raw));
      } catch {
        socket.send(JSON.stringify({ stream: "error", data: { error_message: "frame is not valid JSON" } }));
        return;
      }
      if (frame.action === "authenticate") {
        const ok = authorized(frame.data?.key_id ?? null, frame.data?.secret_key ?? null);
        socket.data.authenticated = ok;
        socket.data.keyId = frame.data?.key_id ?? null;
        socket.send(JSON.stringify({ stream: "authorization", data: { status: ok ? "authorized" : "unauthorized", action: "authenticate" } }));
        if (!ok) socket.close(1008, "unauthorized");
        return;
      }
      if (frame.action === "listen") {
        if (!socket.data.authenticated) {
          socket.send(JSON.stringify({ stream: "authorization", data: { status: "unauthorized", action: "listen" } }));
          socket.close(1008, "unauthorized");
          return;
        }
        const streams = Array.isArray(frame.data?.streams) ? frame.data.streams : [];
        socket.data.listening = streams.includes("trade_updates");
        socket.send(JSON.stringify({ stream: "listening", data: { streams: socket.data.listening ? ["trade_updates"] : [] } }));
        return;
      }
      socket.send(JSON.stringify({ stream: "error", data: { error_message: `unknown action ${JSON.stringify(frame.action ?? null)}` } }));
    },
  };

  return {
    listen({ port, hostname }) {
      // No SO_REUSEPORT: a second venue on the same port must fail, not share it.
      server = Bun.serve<StreamClient>({ port, hostname, reusePort: false, development: false, fetch, websocket });
      venue.start();
    },
    async stop(closeActive = false) {
      venue.stop();
      for (const socket of sockets) socket.close(1001, "venue stopping");
      await server?.stop(closeActive);
      server = null;
    },
    get port() {
      return server?.port ?? 0;
    },
  };
}

/**
 * Alpaca reads a request body as JSON whatever its Content-Type says (none, text/plain, form): the
 * router only parses JSON it is told is JSON, so the request is relabelled before it gets there.
 */
function asJsonBody(request: Request, body: string): Request {
  if (body === "" || request.headers.get("content-type")?.toLowerCase().startsWith("application/json")) return request;
  const headers = new Headers(request.headers);
  headers.set("content-type", "application/json");
  return new Request(request.url, { method: request.method, headers, body });
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
