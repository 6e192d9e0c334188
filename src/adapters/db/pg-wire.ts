// Pure helpers for the PostgreSQL v3 wire protocol as the embedded wire server needs them:
// framing of frontend bytes, per-connection namespacing of prepared-statement names, scanning of
// backend output for ReadyForQuery, and ErrorResponse construction. No I/O here.

export const PROTOCOL_VERSION_3 = 196608;
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;

/** PostgreSQL's own limit for the untyped first packet (MAX_STARTUP_PACKET_LENGTH). */
export const MAX_STARTUP_PACKET_LENGTH = 10_000;
/** PostgreSQL refuses messages above 1 GB (PQ_LARGE_MESSAGE_LIMIT); so do we. */
export const MAX_MESSAGE_LENGTH = 0x3fff_ffff;

/** Answer to SSLRequest / GSSENCRequest: "not supported, continue in plain text". */
export const ENCRYPTION_REFUSED = Uint8Array.of(0x4e); // 'N'

/** Frontend message types a client may send after startup (everything else is refused). */
const FRONTEND_TYPES = new Set("BCDEFHPQSXcdf");
/** During authentication only SASLInitialResponse / SASLResponse ('p'), at most PG_MAX_AUTH_TOKEN_LENGTH. */
export const AUTHENTICATION_MESSAGES = { types: new Set("p"), maxLength: 65_535 + 4 };

/** Thrown by the splitters when the byte stream cannot be PostgreSQL protocol. */
export class WireProtocolError extends Error {
  override readonly name = "WireProtocolError";
}

export type StartupPacket =
  | { kind: "ssl-request" }
  | { kind: "gssenc-request" }
  | { kind: "cancel-request"; processId: number; secretKey: number }
  | { kind: "startup"; parameters: Record<string, string> };

export type TransactionStatus = "I" | "T" | "E";

export interface FrontendMessage {
  /** One ASCII letter, e.g. "P" for Parse. */
  type: string;
  /** The whole message: type byte, int32 length, body. */
  bytes: Uint8Array;
}

export interface Split<T> {
  items: T[];
  /** Bytes of an incomplete trailing packet, to be prefixed to the next chunk. */
  rest: Uint8Array;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Takes the first untyped packet (`int32 length` + body) off the buffer, or returns null and the
 * unchanged buffer when it is not complete yet.
 */
export function takeStartupPacket(buffer: Uint8Array): { packet: Uint8Array | null; rest: Uint8Array } {
  if (buffer.length < 4) return { packet: null, rest: buffer };
  const length = view(buffer).getInt32(0);
  if (length < 8 || length > MAX_STARTUP_PACKET_LENGTH) {
    throw new WireProtocolError(`invalid startup packet length ${length}`);
  }
  if (buffer.length < length) return { packet: null, rest: buffer };
  return { packet: buffer.subarray(0, length), rest: buffer.subarray(length) };
}

export function parseStartupPacket(packet: Uint8Array): StartupPacket {
  const data = view(packet);
  const code = data.getInt32(4);
  switch (code) {
    case SSL_REQUEST_CODE:
      return { kind: "ssl-request" };
    case GSSENC_REQUEST_CODE:
      return { kind: "gssenc-request" };
    case CANCEL_REQUEST_CODE:
      if (packet.length < 16) throw new WireProtocolError("truncated CancelRequest");
      return { kind: "cancel-request", processId: data.getInt32(8), secretKey: data.getInt32(12) };
    case PROTOCOL_VERSION_3:
      return { kind: "startup", parameters: parseStartupParameters(packet.subarray(8)) };
    default:
      throw new WireProtocolError(`unsupported frontend protocol ${code >>> 16}.${code & 0xffff}`);
  }
}

/** Startup parameters are `name\0value\0` pairs ended by an extra `\0`. */
function parseStartupParameters(body: Uint8Array): Record<string, string> {
  const fields = textDecoder.decode(body).split("\0");
  const parameters: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length && fields[i] !== ""; i += 2) {
    parameters[fields[i]!] = fields[i + 1]!;
  }
  return parameters;
}

/** Splits a buffer of typed frontend messages into complete messages and the incomplete rest. */
export function splitFrontendMessages(
  buffer: Uint8Array,
  allowed: { types: Set<string>; maxLength: number } = { types: FRONTEND_TYPES, maxLength: MAX_MESSAGE_LENGTH },
): Split<FrontendMessage> {
  const data = view(buffer);
  const items: FrontendMessage[] = [];
  let offset = 0;
  while (buffer.length - offset >= 5) {
    const type = String.fromCharCode(buffer[offset]!);
    if (!allowed.types.has(type)) {
      throw new WireProtocolError(`invalid frontend message type ${buffer[offset]}`);
    }
    const length = data.getInt32(offset + 1);
    if (length < 4 || length > allowed.maxLength) {
      throw new WireProtocolError(`invalid length ${length} for message '${type}'`);
    }
    const end = offset + 1 + length;
    if (end > buffer.length) break;
    items.push({ type, bytes: buffer.subarray(offset, end) });
    offset = end;
  }
  return { items, rest: buffer.subarray(offset) };
}

export interface NamespacedMessage {
  bytes: Uint8Array;
  /** Namespaced name of the statement a Parse creates (named statements only). */
  preparesStatement?: string;
  /** Namespaced name of the statement a Close('S') deallocates. */
  closesStatement?: string;
}

/**
 * Prefixes non-empty prepared-statement names in Parse, Bind, Describe('S') and Close('S') so
 * that connections sharing one PGlite session cannot collide. The unnamed statement stays
 * unnamed: it is only ever used inside one connection's locked turn. Portals need no rewriting:
 * they die with the transaction, which never spans two connections.
 */
export function namespaceStatementNames(message: FrontendMessage, prefix: string): NamespacedMessage {
  const { type, bytes } = message;
  switch (type) {
    case "P": {
      const name = readCString(bytes, 5);
      if (name.text === "") return { bytes };
      const prefixed = prefix + name.text;
      return { bytes: replaceCString(bytes, 5, name.end, prefixed), preparesStatement: prefixed };
    }
    case "B": {
      const portal = readCString(bytes, 5);
      const statement = readCString(bytes, portal.end);
      if (statement.text === "") return { bytes };
      return { bytes: replaceCString(bytes, portal.end, statement.end, prefix + statement.text) };
    }
    case "D":
    case "C": {
      if (bytes[5] !== 0x53 /* 'S' */) return { bytes };
      const name = readCString(bytes, 6);
      if (name.text === "") return { bytes };
      const prefixed = prefix + name.text;
      const rewritten = replaceCString(bytes, 6, name.end, prefixed);
      return type === "C" ? { bytes: rewritten, closesStatement: prefixed } : { bytes: rewritten };
    }
    default:
      return { bytes };
  }
}

/** COPY ... FROM STDIN, not crossing a statement boundary. */
const COPY_FROM_STDIN = /\bcopy\b[^;]*\bfrom\s+stdin\b/i;
const REFUSE_COPY_FROM_STDIN =
  "DO $catalyst$BEGIN RAISE EXCEPTION 'COPY FROM STDIN is not supported by the embedded database' " +
  "USING ERRCODE = 'feature_not_supported'; END$catalyst$";

/**
 * PGlite cannot wait for a client's CopyData: COPY FROM STDIN makes its backend exit, which kills the
 * database for every connection. A Query or Parse containing it is replaced by a statement raising
 * 0A000, so the client gets a proper error through the normal protocol flow.
 */
export function refuseCopyFromStdin(message: FrontendMessage): FrontendMessage {
  if (message.type === "Q") {
    const sql = readCString(message.bytes, 5).text;
    return COPY_FROM_STDIN.test(sql) ? { type: "Q", bytes: buildMessage("Q", [REFUSE_COPY_FROM_STDIN]) } : message;
  }
  if (message.type === "P") {
    const name = readCString(message.bytes, 5);
    const sql = readCString(message.bytes, name.end).text;
    if (!COPY_FROM_STDIN.test(sql)) return message;
    return { type: "P", bytes: buildMessage("P", [name.text, REFUSE_COPY_FROM_STDIN], Uint8Array.of(0, 0)) };
  }
  return message;
}

/** type + int32 length + NUL-terminated strings + trailing bytes. */
function buildMessage(type: string, strings: string[], trailer: Uint8Array = new Uint8Array(0)): Uint8Array {
  const body = textEncoder.encode(strings.map((text) => `${text}\0`).join(""));
  const result = new Uint8Array(5 + body.length + trailer.length);
  result[0] = type.charCodeAt(0);
  view(result).setInt32(1, 4 + body.length + trailer.length);
  result.set(body, 5);
  result.set(trailer, 5 + body.length);
  return result;
}

/** Reads the NUL-terminated string at `start`; `end` is the offset just past its NUL. */
function readCString(bytes: Uint8Array, start: number): { text: string; end: number } {
  const nul = bytes.indexOf(0, start);
  if (nul < 0) throw new WireProtocolError(`unterminated string in message '${String.fromCharCode(bytes[0]!)}'`);
  return { text: textDecoder.decode(bytes.subarray(start, nul)), end: nul + 1 };
}

/** Replaces bytes [start, end) with `text\0` and fixes the message length. */
function replaceCString(bytes: Uint8Array, start: number, end: number, text: string): Uint8Array {
  const encoded = textEncoder.encode(text);
  const result = new Uint8Array(bytes.length - (end - start) + encoded.length + 1);
  result.set(bytes.subarray(0, start));
  result.set(encoded, start);
  result[start + encoded.length] = 0;
  result.set(bytes.subarray(end), start + encoded.length + 1);
  view(result).setInt32(1, result.length - 1);
  return result;
}

export interface ReadyForQueryScan {
  /** Status byte of the last ReadyForQuery in the output, or null if there is none. */
  lastStatus: TransactionStatus | null;
  /** True when ReadyForQuery is the very last message, i.e. nothing was started after it. */
  endsWithReadyForQuery: boolean;
}

/** Walks complete backend messages looking for ReadyForQuery ('Z', length 5, status byte). */
export function scanReadyForQuery(output: Uint8Array): ReadyForQueryScan {
  const data = view(output);
  let lastStatus: TransactionStatus | null = null;
  let endsWithReadyForQuery = false;
  let offset = 0;
  while (output.length - offset >= 5) {
    const length = data.getInt32(offset + 1);
    if (length < 4) break; // not protocol; nothing reliable follows
    const isReady = output[offset] === 0x5a /* 'Z' */ && length === 5 && offset + 5 < output.length;
    if (isReady) lastStatus = String.fromCharCode(output[offset + 5]!) as TransactionStatus;
    endsWithReadyForQuery = isReady;
    offset += 1 + length;
  }
  return { lastStatus, endsWithReadyForQuery: endsWithReadyForQuery && offset === output.length };
}

const AUTH_SASL = 10;
const AUTH_SASL_CONTINUE = 11;
const AUTH_SASL_FINAL = 12;

/** AuthenticationSASL: the mechanisms the server offers, each NUL-terminated, then an empty one. */
export function buildAuthenticationSasl(mechanisms: string[]): Uint8Array {
  return buildAuthentication(AUTH_SASL, textEncoder.encode(mechanisms.map((name) => `${name}\0`).join("") + "\0"));
}

export function buildAuthenticationSaslContinue(data: string): Uint8Array {
  return buildAuthentication(AUTH_SASL_CONTINUE, textEncoder.encode(data));
}

export function buildAuthenticationSaslFinal(data: string): Uint8Array {
  return buildAuthentication(AUTH_SASL_FINAL, textEncoder.encode(data));
}

function buildAuthentication(code: number, payload: Uint8Array): Uint8Array {
  const result = new Uint8Array(9 + payload.length);
  result[0] = 0x52; // 'R'
  view(result).setInt32(1, 8 + payload.length);
  view(result).setInt32(5, code);
  result.set(payload, 9);
  return result;
}

/** SASLInitialResponse ('p'): mechanism name, int32 length (-1: none), the client's first message. */
export function parseSaslInitialResponse(message: FrontendMessage): { mechanism: string; response: string } {
  const mechanism = readCString(message.bytes, 5);
  if (message.bytes.length < mechanism.end + 4) throw new WireProtocolError("truncated SASLInitialResponse");
  const length = view(message.bytes).getInt32(mechanism.end);
  const start = mechanism.end + 4;
  if (length < 0 || start + length !== message.bytes.length) {
    throw new WireProtocolError("SASLInitialResponse without a complete initial response");
  }
  return { mechanism: mechanism.text, response: textDecoder.decode(message.bytes.subarray(start)) };
}

/** SASLResponse ('p'): the rest of the message is the client's next SASL message. */
export function parseSaslResponse(message: FrontendMessage): string {
  return textDecoder.decode(message.bytes.subarray(5));
}

export interface ErrorFields {
  severity: "ERROR" | "FATAL";
  /** SQLSTATE, e.g. "53300" too_many_connections, "57P03" cannot_connect_now. */
  code: string;
  message: string;
}

/** Builds an ErrorResponse ('E') with the S, V, C and M fields. */
export function buildErrorResponse({ severity, code, message }: ErrorFields): Uint8Array {
  return buildMessage("E", [`S${severity}`, `V${severity}`, `C${code}`, `M${message}`, ""]);
}

/** ReadyForQuery('I'): what the backend sends after an error outside a transaction. */
export const READY_FOR_QUERY_IDLE = new Uint8Array([0x5a, 0, 0, 0, 5, 0x49]);

/** A time setting as a startup parameter gives it ("5000", "5000ms", "5s", "1min"), in ms; 0 (off) when absent or unreadable. */
export function millisecondsSetting(value: string | undefined): number {
  const match = /^\s*(\d+)\s*(ms|s|min)?\s*$/.exec(value ?? "");
  if (!match) return 0;
  return Number(match[1]) * ({ ms: 1, s: 1000, min: 60_000 } as const)[(match[2] ?? "ms") as "ms" | "s" | "min"];
}

/** Joins byte chunks into one buffer (the single-chunk case is returned as is). */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const result = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
