/**
 * Live MCP: resource subscriptions and log notices, driven by the bus (in-process or Redis alike).
 * One feed per orchestration process listens to the bus; each MCP session attaches its own server
 * and gets `notifications/resources/updated` only for the URIs it subscribed to (at most one per
 * URI per coalescing window), and `notifications/message` at or above the level it set with
 * logging/setLevel (the SDK keeps the level per session and filters in sendLoggingMessage).
 * Over Streamable HTTP these leave on the session's own GET SSE stream.
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { ErrorCode, McpError, SubscribeRequestSchema, UnsubscribeRequestSchema, type ServerCapabilities } from "@modelcontextprotocol/sdk/types.js";
import type { Bus } from "../../../adapters/bus/bus.ts";
import type { BusMessage } from "../../../contracts/bus.ts";
import type { Logger } from "../../../runtime/log.ts";
import { Coalescer } from "./coalesce.ts";
import { isSubscribable, LIVE_CHANNELS, logNoticeFor, SUBSCRIBABLE_URIS, urisUpdatedBy, type LogNotice, type SubscribableUri } from "./live-events.ts";

/** The target: a burst of fills is one update per URI per this window. */
export const COALESCE_MS = 250;

/** What a server must declare (at construction: the SDK installs logging/setLevel only then). */
export const LIVE_CAPABILITIES = { resources: { subscribe: true }, logging: {} } satisfies ServerCapabilities;

export interface LiveSession {
  /** Starts delivering to this session (its transport session id, undefined over stdio). */
  start(sessionId: string | undefined): void;
  close(): void;
}

interface Receiver {
  updated(uris: readonly SubscribableUri[]): void;
  notice(notice: LogNotice): void;
}

export interface LiveFeed {
  /** Answers resources/subscribe and unsubscribe on this server; it receives nothing until started. */
  attach(server: Server): LiveSession;
  receivers(): number;
  stop(): void;
}

export function createLiveFeed(bus: Bus, log: Logger, options: { coalesceMs?: number } = {}): LiveFeed {
  const receivers = new Set<Receiver>();
  const onMessage = (message: BusMessage) => {
    const uris = urisUpdatedBy(message);
    const notice = logNoticeFor(message);
    for (const receiver of receivers) {
      if (uris.length > 0) receiver.updated(uris);
      if (notice) receiver.notice(notice);
    }
  };
  const unsubscribes = LIVE_CHANNELS.map((channel) => bus.subscribe(channel, onMessage));

  // A session whose stream has gone is closed by the endpoint; until then a failed send is only noted.
  const sent = (what: string, sending: Promise<void>) => void sending.catch((error) => log.debug(`mcp ${what} not delivered`, { error: (error as Error).message }));

  return {
    attach(server) {
      const subscribed = new Set<SubscribableUri>();
      const updates = new Coalescer<SubscribableUri>(options.coalesceMs ?? COALESCE_MS, (uri) => {
        if (subscribed.has(uri)) sent("resource update", server.sendResourceUpdated({ uri }));
      });
      let sessionId: string | undefined;
      const receiver: Receiver = {
        updated: (uris) => {
          for (const uri of uris) if (subscribed.has(uri)) updates.push(uri);
        },
        notice: (notice) => sent("log message", server.sendLoggingMessage(notice, sessionId)),
      };

      server.setRequestHandler(SubscribeRequestSchema, async (request) => {
        const uri = request.params.uri;
        if (!isSubscribable(uri)) {
          throw new McpError(ErrorCode.InvalidParams, `uri: ${uri} sends no updates; subscribe to one of ${SUBSCRIBABLE_URIS.join(", ")} (read the others when needed)`);
        }
        subscribed.add(uri);
        return {};
      });
      server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
        const uri = request.params.uri;
        if (isSubscribable(uri)) {
          subscribed.delete(uri);
          updates.drop(uri);
        }
        return {};
      });

      return {
        start(id) {
          sessionId = id;
          receivers.add(receiver);
        },
        close() {
          receivers.delete(receiver);
          updates.clear();
          subscribed.clear();
        },
      };
    },
    receivers: () => receivers.size,
    stop() {
      for (const unsubscribe of unsubscribes) unsubscribe();
      receivers.clear();
    },
  };
}
