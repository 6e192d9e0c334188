import { protocol, type PGlite } from "@electric-sql/pglite";
import type { Socket, TCPSocketListener } from "bun";
import { randomBytes } from "node:crypto";
import {
  AUTHENTICATION_MESSAGES,
  buildAuthenticationSasl,
  buildAuthenticationSaslContinue,
  buildAuthenticationSaslFinal,
  buildErrorResponse,
  concatBytes,
  ENCRYPTION_REFUSED,
  millisecondsSetting,
  namespaceStatementNames,
  parseSaslInitialResponse,
  parseSaslResponse,
  parseStartupPacket,
  READY_FOR_QUERY_IDLE,
  refuseCopyFromStdin,
  scanReadyForQuery,
  splitFrontendMessages,
  takeStartupPacket,
  WireProtocolError,
  type ErrorFields,
  type FrontendMessage,
} from "./pg-wire.ts";
import {
  parseClientFinal,
  parseClientFirst,
  SCRAM_MECHANISM,
  ScramMessageError,
  scramVerifier,
  serverFirstMessage,
  verifyClientFinal,
  type ScramExchange,
  type ScramVerifier,
} from "./scram.ts";
import { createLogger } from "../../runtime/log.ts";

const log = createLogger("embedded-db", "warn");

// Serves one PGlite session to many PostgreSQL clients. PGlite has a single backend session, so
// connections take turns: a connection owns the session from its first message until PGlite
// answers ReadyForQuery('I') with nothing started after it. Inside a transaction, or between
// Parse/Bind/Flush and their Sync, nobody else runs. Waiting connections are served FIFO.
//
// Every client authenticates with SCRAM-SHA-256 against one password (any user name: the session
// is PGlite's single "postgres" one), so other local processes cannot read or change the books.
// A connection's lock_timeout and idle_in_transaction_session_timeout startup parameters are
// enforced here, since the session is shared: waiting for another connection's turn longer than
// lock_timeout cuts the waiting statements off (55P03), and holding the session idle longer than
// idle_in_transaction_session_timeout ends the holder's connection (25P03; its transaction is
// rolled back); a connection's first turn waits without limit (see Connection.served), bounded by
// the holder's idle timeout. statement_timeout cannot be: PGlite runs a statement synchronously to its end.
//
// In-process users of the same PGlite (db.query) are serialised with us by db.runExclusive but
// are not kept out of a client's open transaction: while serving, go through the wire only.

export interface WireServer {
  /** postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  /** Client connections whose socket is open or whose session state is still being cleaned up. */
  connections(): number;
  close(): Promise<void>;
}

export interface WireServerOptions {
  /** What clients must prove they know (URL-safe: it goes into `url` as is). */
  password: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
}

/** Stop executing a connection's messages while this much of its output is unsent. */
const OUTPUT_HIGH_WATER_MARK = 1 << 20;
/** How long close() lets clients read their FATAL and hang up before cutting them off. */
const CLOSE_GRACE_MS = 1_000;

const SHUTTING_DOWN: ErrorFields = { severity: "FATAL", code: "57P03", message: "the database system is shutting down" };
const ADMIN_SHUTDOWN: ErrorFields = { severity: "FATAL", code: "57P01", message: "terminating connection due to administrator command" };
const DATABASE_FAILED: ErrorFields = { severity: "FATAL", code: "XX000", message: "the embedded database failed; restart catalyst" };
const LOCK_TIMEOUT: ErrorFields = { severity: "ERROR", code: "55P03", message: "canceling statement due to lock timeout (another connection held the embedded database's session)" };
const IDLE_IN_TRANSACTION: ErrorFields = { severity: "FATAL", code: "25P03", message: "terminating connection due to idle-in-transaction timeout" };

const { serialize } = protocol;
/** Frontend message types that end a batch the backend answers. */
const SYNC = 0x53;
const QUERY = 0x51;
const FLUSH = 0x48;

export async function startWireServer(db: PGlite, opts: WireServerOptions): Promise<WireServer> {
  // Clients get the same greeting PGlite gives (AuthenticationOk, ParameterStatus, BackendKeyData,
  // ReadyForQuery). Captured once: running startup again per client would touch the shared session.
  const greeting = await db.runExclusive(async () =>
    (await db.execProtocolRaw(serialize.startup({ user: "postgres", database: "postgres" }))).slice(),
  );
  // Computed once (PBKDF2, 4096 rounds): each connection then costs a few HMACs.
  const verifier = scramVerifier(opts.password, randomBytes(16));
  const server = new SessionServer(db, greeting, verifier);
  const host = opts.host ?? "127.0.0.1";
  const listener = Bun.listen<Connection>({
    hostname: host,
    port: opts.port ?? 0,
    socket: {
      open: (socket) => server.open(socket),
      data: (socket, chunk) => server.receive(socket.data, chunk),
      drain: (socket) => server.drained(socket.data),
      close: (socket) => server.hungUp(socket.data),
      error: (socket, error) => server.failed(socket.data, error),
    },
  });
  return {
    url: `postgres://postgres:${encodeURIComponent(opts.password)}@${host}:${listener.port}/postgres`,
    port: listener.port,
    connections: () => server.connectionCount(),
    close: () => server.close(listener),
  };
}

class Connection {
  readonly statementPrefix: string;
  phase: "startup" | "authenticating" | "ready" = "startup";
  /** The startup packet's user, for the authentication error as PostgreSQL words it. */
  user = "";
  /** Set once the client's first SCRAM message is answered. */
  scram: ScramExchange | null = null;
  /** Namespaced frontend messages received and not yet executed. */
  inbox: Uint8Array[] = [];
  /** Named statements this connection created in the shared session, to deallocate on exit. */
  readonly statements = new Set<string>();
  /** True from a turn whose output does not end in ReadyForQuery('I') until one that does. */
  holdsSession = false;
  /** In the scheduler's FIFO. */
  queued = false;
  /** Terminate received or socket gone: no more input, clean up the session state. */
  finished = false;
  cleanedUp = false;
  socketClosed = false;
  /** From the startup parameters; 0 = off. */
  lockTimeoutMs = 0;
  idleInTransactionTimeoutMs = 0;
  /** Has had a turn: its first one (postgres.js reads the array types with it, and does not catch a failure there) waits without lock_timeout. */
  served = false;
  /** Its batch was cut by lock_timeout after a Flush: its messages are skipped until the next Sync. */
  discardingUntilSync = false;
  /** The lock-wait timer while queued, the idle timer while holding the session between messages. */
  timer: Timer | null = null;
  #input: Uint8Array = new Uint8Array(0);
  #unsent: Uint8Array[] = [];
  #unsentBytes = 0;

  constructor(
    readonly id: number,
    readonly socket: Socket<Connection>,
  ) {
    this.statementPrefix = `c${id}_`;
  }

  /** Appends a chunk to the unparsed input and returns all of it (a private copy). */
  appendInput(chunk: Uint8Array): Uint8Array {
    const input = new Uint8Array(this.#input.length + chunk.length);
    input.set(this.#input);
    input.set(chunk, this.#input.length);
    return input;
  }

  keepInput(rest: Uint8Array): void {
    this.#input = rest;
  }

  takeInbox(): Uint8Array {
    const batch = concatBytes(this.inbox);
    this.inbox = [];
    return batch;
  }

  needsCleanup(): boolean {
    return !this.cleanedUp && (this.holdsSession || this.statements.size > 0);
  }

  hasWork(): boolean {
    if (this.finished) return this.inbox.length > 0 || this.needsCleanup();
    return this.inbox.length > 0 && this.#unsentBytes <= OUTPUT_HIGH_WATER_MARK;
  }

  /** Writes what the socket takes now and keeps the rest for `flush()` on drain. */
  send(bytes: Uint8Array): void {
    if (this.socketClosed || bytes.length === 0) return;
    if (this.#unsent.length === 0) {
      const written = this.socket.write(bytes);
      if (written < 0 || written === bytes.length) return;
      bytes = bytes.subarray(written);
    }
    this.#unsent.push(bytes);
    this.#unsentBytes += bytes.length;
  }

  flush(): void {
    while (this.#unsent.length > 0) {
      const head = this.#unsent[0]!;
      const written = this.socket.write(head);
      if (written < 0) {
        this.#unsent = [];
        this.#unsentBytes = 0;
        return;
      }
      this.#unsentBytes -= written;
      if (written < head.length) {
        this.#unsent[0] = head.subarray(written);
        return;
      }
      this.#unsent.shift();
    }
  }
}

class SessionServer {
  readonly #connections = new Set<Connection>();
  readonly #waiting: Connection[] = [];
  #owner: Connection | null = null;
  #draining = false;
  #closing: Promise<void> | null = null;
  /** PGlite itself failed (its backend exited): calling it again would spin forever. */
  #failed = false;
  #nextId = 1;
  #onEmpty: (() => void)[] = [];

  constructor(
    private readonly db: PGlite,
    private readonly greeting: Uint8Array,
    private readonly verifier: ScramVerifier,
  ) {}

  connectionCount(): number {
    return this.#connections.size;
  }

  open(socket: Socket<Connection>): void {
    const connection = new Connection(this.#nextId++, socket);
    socket.data = connection;
    this.#connections.add(connection);
    if (this.#failed) this.#refuse(connection, DATABASE_FAILED);
    else if (this.#closing) this.#refuse(connection, SHUTTING_DOWN);
  }

  receive(connection: Connection, chunk: Uint8Array): void {
    if (connection.finished) return;
    if (connection === this.#owner) this.#clearTimer(connection); // no longer idle
    try {
      let input = connection.appendInput(chunk);
      if (connection.phase === "startup") input = this.#handleStartup(connection, input);
      if (connection.phase === "authenticating") input = this.#authenticate(connection, input);
      if (connection.phase === "ready") input = this.#enqueueMessages(connection, input);
      connection.keepInput(input);
    } catch (error) {
      const code = error instanceof WireProtocolError ? "08P01" : "XX000";
      this.#refuse(connection, { severity: "FATAL", code, message: String(error instanceof Error ? error.message : error) });
      return;
    }
    this.#schedule(connection);
  }

  drained(connection: Connection): void {
    connection.flush();
    this.#schedule(connection);
  }

  hungUp(connection: Connection): void {
    connection.socketClosed = true;
    connection.finished = true;
    this.#schedule(connection);
  }

  failed(connection: Connection, error: Error): void {
    log.error("embedded database connection failed", { connection: connection.id, error: String(error) });
    connection.socket.terminate();
  }

  close(listener: TCPSocketListener<Connection>): Promise<void> {
    this.#closing ??= this.#shutDown(listener);
    return this.#closing;
  }

  async #shutDown(listener: TCPSocketListener<Connection>): Promise<void> {
    listener.stop();
    for (const connection of this.#connections) this.#refuse(connection, ADMIN_SHUTDOWN);
    const empty = this.#whenEmpty();
    const timer = setTimeout(() => {
      for (const connection of this.#connections) connection.socket.terminate();
    }, CLOSE_GRACE_MS);
    await empty;
    clearTimeout(timer);
  }

  /** Returns the input left after the startup exchange (or all of it while still incomplete). */
  #handleStartup(connection: Connection, input: Uint8Array): Uint8Array {
    while (connection.phase === "startup" && !connection.finished) {
      const { packet, rest } = takeStartupPacket(input);
      if (!packet) break;
      input = rest;
      const startup = parseStartupPacket(packet);
      switch (startup.kind) {
        case "ssl-request":
        case "gssenc-request":
          connection.send(ENCRYPTION_REFUSED);
          break;
        case "cancel-request":
          // PGlite executes synchronously: a running statement cannot be interrupted.
          this.#finish(connection);
          break;
        case "startup":
          connection.user = startup.parameters.user ?? "";
          connection.lockTimeoutMs = millisecondsSetting(startup.parameters.lock_timeout);
          connection.idleInTransactionTimeoutMs = millisecondsSetting(startup.parameters.idle_in_transaction_session_timeout);
          connection.send(buildAuthenticationSasl([SCRAM_MECHANISM]));
          connection.phase = "authenticating";
          break;
      }
    }
    return input;
  }

  /** The SCRAM exchange; returns the input left after it. Any failure refuses the connection. */
  #authenticate(connection: Connection, input: Uint8Array): Uint8Array {
    try {
      const { items, rest } = splitFrontendMessages(input, AUTHENTICATION_MESSAGES);
      for (const [index, message] of items.entries()) {
        if (this.#answerSasl(connection, message)) return concatBytes([...items.slice(index + 1).map((item) => item.bytes), rest]);
        if (connection.finished) return new Uint8Array(0);
      }
      return rest;
    } catch (error) {
      if (!(error instanceof ScramMessageError || error instanceof WireProtocolError)) throw error;
      this.#refuseLogin(connection, { severity: "FATAL", code: "08P01", message: `malformed SCRAM message: ${error.message}` });
      return new Uint8Array(0);
    }
  }

  /** Answers one SASL message; true once the client is in. */
  #answerSasl(connection: Connection, message: FrontendMessage): boolean {
    if (connection.scram === null) {
      const { mechanism, response } = parseSaslInitialResponse(message);
      if (mechanism !== SCRAM_MECHANISM) {
        throw new ScramMessageError(`client selected an invalid SASL authentication mechanism "${mechanism}"`);
      }
      connection.scram = serverFirstMessage(parseClientFirst(response), randomBytes(18).toString("base64"), this.verifier);
      connection.send(buildAuthenticationSaslContinue(connection.scram.serverFirst));
      return false;
    }
    const verdict = verifyClientFinal(connection.scram, parseClientFinal(parseSaslResponse(message)), this.verifier);
    if (!verdict.ok) {
      if (verdict.reason === "malformed") throw new ScramMessageError(verdict.detail);
      this.#refuseLogin(connection, {
        severity: "FATAL",
        code: "28P01",
        message: `password authentication failed for user "${connection.user}"`,
      });
      return false;
    }
    connection.send(concatBytes([buildAuthenticationSaslFinal(verdict.serverFinal), this.greeting]));
    connection.phase = "ready";
    return true;
  }

  /** Refuses a client that failed to authenticate, with one log line naming the peer (never a secret). */
  #refuseLogin(connection: Connection, error: ErrorFields): void {
    const { remoteAddress, remotePort } = connection.socket;
    log.warn("embedded database refused a connection", {
      connection: connection.id,
      peer: `${remoteAddress}:${remotePort}`,
      code: error.code,
      reason: error.message,
    });
    this.#refuse(connection, error);
  }

  #enqueueMessages(connection: Connection, input: Uint8Array): Uint8Array {
    const { items, rest } = splitFrontendMessages(input);
    for (const message of items) {
      if (message.type === "X") {
        this.#finish(connection);
        return new Uint8Array(0);
      }
      if (connection.discardingUntilSync) {
        // As the backend does after an error in an extended-protocol batch: skip to the Sync, answer it.
        if (message.type === "S") {
          connection.discardingUntilSync = false;
          connection.send(READY_FOR_QUERY_IDLE);
        }
        continue;
      }
      const namespaced = namespaceStatementNames(refuseCopyFromStdin(message), connection.statementPrefix);
      if (namespaced.preparesStatement) connection.statements.add(namespaced.preparesStatement);
      if (namespaced.closesStatement) connection.statements.delete(namespaced.closesStatement);
      connection.inbox.push(namespaced.bytes);
    }
    return rest;
  }

  #refuse(connection: Connection, error: ErrorFields): void {
    connection.send(buildErrorResponse(error));
    this.#finish(connection);
    this.#schedule(connection);
  }

  #finish(connection: Connection): void {
    connection.finished = true;
    connection.socket.end();
  }

  #schedule(connection: Connection): void {
    if (!connection.hasWork()) {
      if (connection.finished && connection !== this.#owner) this.#retire(connection);
      return;
    }
    if (connection !== this.#owner) this.#enqueue(connection);
    void this.#drain();
  }

  #enqueue(connection: Connection): void {
    if (!connection.queued) {
      connection.queued = true;
      this.#waiting.push(connection);
    }
    // Armed again when a statement arrives after the last one was cut (see #lockTimedOut).
    if (connection.lockTimeoutMs > 0 && connection.served && !connection.finished && connection.timer === null) {
      connection.timer = setTimeout(() => this.#lockTimedOut(connection), connection.lockTimeoutMs);
    }
  }

  #clearTimer(connection: Connection): void {
    if (connection.timer) clearTimeout(connection.timer);
    connection.timer = null;
  }

  /**
   * Still waiting for its turn: what it queued up to its last Sync, Query or Flush fails as a lock
   * timeout would, answered as the backend answers an error: ErrorResponse, then ReadyForQuery at
   * each Sync or Query; a batch that ended in Flush (postgres.js describes a new statement so) then
   * skips its messages until the Sync the client sends on seeing the error.
   */
  #lockTimedOut(connection: Connection): void {
    connection.timer = null;
    if (!connection.queued || connection.finished) return;
    const lastEnd = connection.inbox.findLastIndex((m) => m[0] === SYNC || m[0] === QUERY || m[0] === FLUSH);
    if (lastEnd < 0) return;
    let failed = false;
    for (const message of connection.inbox.splice(0, lastEnd + 1)) {
      if (!failed) connection.send(buildErrorResponse(LOCK_TIMEOUT));
      failed = true;
      if (message[0] === SYNC || message[0] === QUERY) {
        connection.send(READY_FOR_QUERY_IDLE);
        failed = false;
      }
    }
    connection.discardingUntilSync = failed;
    this.#waiting.splice(this.#waiting.indexOf(connection), 1);
    connection.queued = false;
    this.#schedule(connection);
  }

  /** Holding the session with nothing to run: ended once idle for its idle_in_transaction_session_timeout. */
  #watchIdleOwner(connection: Connection): void {
    if (connection.idleInTransactionTimeoutMs <= 0 || connection.finished) return;
    this.#clearTimer(connection);
    connection.timer = setTimeout(() => {
      connection.timer = null;
      if (this.#owner === connection && connection.holdsSession && connection.inbox.length === 0) this.#refuse(connection, IDLE_IN_TRANSACTION);
    }, connection.idleInTransactionTimeoutMs);
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let connection = this.#nextTurn(); connection; connection = this.#nextTurn()) {
        await this.#runTurn(connection);
      }
    } finally {
      this.#draining = false;
    }
  }

  /** The owner keeps the session (waiting for its next message); otherwise the FIFO head runs. */
  #nextTurn(): Connection | undefined {
    if (this.#owner) return this.#owner.hasWork() ? this.#owner : undefined;
    while (this.#waiting.length > 0) {
      const connection = this.#waiting.shift()!;
      connection.queued = false;
      if (connection.hasWork()) return connection;
      if (connection.finished) this.#retire(connection);
    }
    return undefined;
  }

  async #runTurn(connection: Connection): Promise<void> {
    this.#owner = connection;
    connection.served = true;
    this.#clearTimer(connection);
    const isCleanup = connection.inbox.length === 0;
    const batch = isCleanup ? cleanupMessages(connection.statements) : connection.takeInbox();
    try {
      const output = await this.#execute(batch);
      if (output.length > 0) {
        const { lastStatus, endsWithReadyForQuery } = scanReadyForQuery(output);
        connection.holdsSession = !(endsWithReadyForQuery && lastStatus === "I");
      }
      connection.send(output);
    } catch (error) {
      // Not a SQL error (those come back as ErrorResponse): PGlite itself is gone.
      log.error("the embedded database failed serving a connection", { connection: connection.id, error: String(error) });
      this.#failed = true;
      for (const other of this.#connections) {
        other.inbox = [];
        other.cleanedUp = true; // nothing left to clean in a dead session
        other.holdsSession = false;
        this.#refuse(other, DATABASE_FAILED);
      }
    }
    if (isCleanup) {
      connection.cleanedUp = true;
      connection.holdsSession = false;
    }
    if (connection.holdsSession && !connection.hasWork()) this.#watchIdleOwner(connection);
    if (!connection.holdsSession) {
      this.#owner = null;
      if (connection.hasWork()) this.#enqueue(connection); // to the back of the line: fair
      else if (connection.finished) this.#retire(connection);
    }
  }

  async #execute(batch: Uint8Array): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    await this.db.runExclusive(() =>
      // The chunks are views into PGlite's heap: copy them before the next write reuses it.
      this.db.execProtocolRawStream(batch, { onRawData: (chunk) => void chunks.push(chunk.slice()) }),
    );
    return concatBytes(chunks);
  }

  #retire(connection: Connection): void {
    this.#clearTimer(connection);
    if (!this.#connections.delete(connection)) return;
    if (this.#connections.size === 0) {
      for (const resolve of this.#onEmpty.splice(0)) resolve();
    }
  }

  #whenEmpty(): Promise<void> {
    if (this.#connections.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#onEmpty.push(resolve));
  }
}

/**
 * Leaves the shared session as a fresh connection would find it. The first ROLLBACK aborts an
 * implicit transaction left by Execute-without-Sync (a bare Sync would commit it); it is skipped
 * if an error made the backend ignore messages until Sync. The Sync ends that state, the second
 * ROLLBACK ends an explicit transaction block, then the connection's statements are deallocated.
 */
function cleanupMessages(statements: Iterable<string>): Uint8Array {
  const closes = [...statements].map((name) => serialize.close({ type: "S", name }));
  return concatBytes([serialize.query("ROLLBACK"), serialize.sync(), serialize.query("ROLLBACK"), ...closes, serialize.sync()]);
}
