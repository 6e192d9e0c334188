import { protocol } from "@electric-sql/pglite";
import { describe, expect, test } from "bun:test";
import {
  AUTHENTICATION_MESSAGES,
  buildAuthenticationSasl,
  buildAuthenticationSaslContinue,
  buildAuthenticationSaslFinal,
  buildErrorResponse,
  concatBytes,
  namespaceStatementNames,
  parseSaslInitialResponse,
  parseSaslResponse,
  parseStartupPacket,
  refuseCopyFromStdin,
  scanReadyForQuery,
  splitFrontendMessages,
  takeStartupPacket,
  WireProtocolError,
  type FrontendMessage,
} from "../../src/adapters/db/pg-wire.ts";

const { serialize } = protocol;

const concat = (...parts: Uint8Array[]) => concatBytes(parts);

function message(bytes: Uint8Array): FrontendMessage {
  return { type: String.fromCharCode(bytes[0]!), bytes };
}

/** A backend message: type byte, int32 length, body. */
function backend(type: string, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const bytes = new Uint8Array(5 + body.length);
  bytes[0] = type.charCodeAt(0);
  new DataView(bytes.buffer).setInt32(1, 4 + body.length);
  bytes.set(body, 5);
  return bytes;
}

const readyForQuery = (status: string) => backend("Z", Uint8Array.of(status.charCodeAt(0)));
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("startup packets", () => {
  test("recognises SSLRequest, GSSENCRequest, CancelRequest and StartupMessage", () => {
    expect(parseStartupPacket(serialize.requestSsl())).toEqual({ kind: "ssl-request" });

    const gssenc = new Uint8Array(8);
    new DataView(gssenc.buffer).setInt32(0, 8);
    new DataView(gssenc.buffer).setInt32(4, 80877104);
    expect(parseStartupPacket(gssenc)).toEqual({ kind: "gssenc-request" });

    expect(parseStartupPacket(serialize.cancel(42, 7))).toEqual({ kind: "cancel-request", processId: 42, secretKey: 7 });

    const startup = serialize.startup({ user: "postgres", database: "test", application_name: "x" });
    expect(parseStartupPacket(startup)).toEqual({
      kind: "startup",
      parameters: { user: "postgres", database: "test", application_name: "x", client_encoding: "UTF8" },
    });
  });

  test("waits for a complete packet and returns what follows it", () => {
    const startup = serialize.startup({ user: "postgres" });
    const query = serialize.query("select 1");
    const both = concat(startup, query);

    expect(takeStartupPacket(both.subarray(0, 3))).toEqual({ packet: null, rest: both.subarray(0, 3) });
    expect(takeStartupPacket(both.subarray(0, startup.length - 1)).packet).toBeNull();
    const { packet, rest } = takeStartupPacket(both);
    expect(packet).toEqual(startup);
    expect(rest).toEqual(query);
  });

  test("rejects impossible lengths and unknown protocol versions", () => {
    expect(() => takeStartupPacket(serialize.query("select 1"))).toThrow(WireProtocolError);
    expect(() => takeStartupPacket(Uint8Array.of(0, 0, 0, 4))).toThrow(WireProtocolError);
    const v2 = new Uint8Array(8);
    new DataView(v2.buffer).setInt32(0, 8);
    new DataView(v2.buffer).setInt32(4, 2 << 16);
    expect(() => parseStartupPacket(v2)).toThrow("unsupported frontend protocol 2.0");
  });
});

describe("splitFrontendMessages", () => {
  const stream = concat(
    serialize.parse({ name: "s1", text: "select $1::int" }),
    serialize.bind({ statement: "s1", values: ["1"] }),
    serialize.execute({}),
    serialize.sync(),
  );

  test("splits complete messages", () => {
    const { items, rest } = splitFrontendMessages(stream);
    expect(items.map((item) => item.type)).toEqual(["P", "B", "E", "S"]);
    expect(concat(...items.map((item) => item.bytes))).toEqual(stream);
    expect(rest.length).toBe(0);
  });

  test("gives the same messages whatever the chunk boundaries", () => {
    for (const chunkSize of [1, 2, 3, 5, 7, 13]) {
      const types: string[] = [];
      let pending: Uint8Array = new Uint8Array(0);
      for (let offset = 0; offset < stream.length; offset += chunkSize) {
        const { items, rest } = splitFrontendMessages(concat(pending, stream.subarray(offset, offset + chunkSize)));
        types.push(...items.map((item) => item.type));
        pending = rest;
      }
      expect(types).toEqual(["P", "B", "E", "S"]);
      expect(pending.length).toBe(0);
    }
  });

  test("keeps a partial header or body as the rest", () => {
    const sync = serialize.sync();
    expect(splitFrontendMessages(concat(sync, Uint8Array.of(0x51, 0, 0)))).toEqual({
      items: [{ type: "S", bytes: sync }],
      rest: Uint8Array.of(0x51, 0, 0),
    });
  });

  test("rejects malformed lengths and unknown types", () => {
    expect(() => splitFrontendMessages(Uint8Array.of(0x51, 0, 0, 0, 3))).toThrow("invalid length 3");
    expect(() => splitFrontendMessages(Uint8Array.of(0x51, 0xff, 0xff, 0xff, 0xff))).toThrow(WireProtocolError);
    expect(() => splitFrontendMessages(Uint8Array.of(0x51, 0x7f, 0xff, 0xff, 0xff))).toThrow(WireProtocolError);
    expect(() => splitFrontendMessages(Uint8Array.of(0x5a, 0, 0, 0, 4))).toThrow("invalid frontend message type");
  });
});

describe("namespaceStatementNames", () => {
  const prefix = "c7_";

  function roundTrip(bytes: Uint8Array) {
    const result = namespaceStatementNames(message(bytes), prefix);
    // The rewritten message must still frame correctly on its own.
    const { items, rest } = splitFrontendMessages(result.bytes);
    expect(items).toHaveLength(1);
    expect(rest.length).toBe(0);
    return result;
  }

  test("Parse: prefixes a named statement and reports it", () => {
    const result = roundTrip(serialize.parse({ name: "stmt", text: "select $1::int", types: [23] }));
    expect(result.bytes).toEqual(serialize.parse({ name: "c7_stmt", text: "select $1::int", types: [23] }));
    expect(result.preparesStatement).toBe("c7_stmt");
  });

  test("Parse: leaves the unnamed statement alone", () => {
    const parse = serialize.parse({ text: "select 1" });
    expect(roundTrip(parse)).toEqual({ bytes: parse });
  });

  test("Bind: prefixes the statement, not the portal", () => {
    const result = roundTrip(serialize.bind({ portal: "p1", statement: "stmt", values: ["x", null] }));
    expect(result.bytes).toEqual(serialize.bind({ portal: "p1", statement: "c7_stmt", values: ["x", null] }));
    const unnamed = serialize.bind({ portal: "p1", values: ["x"] });
    expect(roundTrip(unnamed).bytes).toEqual(unnamed);
  });

  test("Describe: prefixes statements, not portals", () => {
    expect(roundTrip(serialize.describe({ type: "S", name: "stmt" })).bytes).toEqual(
      serialize.describe({ type: "S", name: "c7_stmt" }),
    );
    const portal = serialize.describe({ type: "P", name: "stmt" });
    expect(roundTrip(portal).bytes).toEqual(portal);
    const unnamed = serialize.describe({ type: "S" });
    expect(roundTrip(unnamed).bytes).toEqual(unnamed);
  });

  test("Close: prefixes a statement and reports it closed; portals untouched", () => {
    const result = roundTrip(serialize.close({ type: "S", name: "stmt" }));
    expect(result.bytes).toEqual(serialize.close({ type: "S", name: "c7_stmt" }));
    expect(result.closesStatement).toBe("c7_stmt");
    const portal = serialize.close({ type: "P", name: "stmt" });
    expect(roundTrip(portal)).toEqual({ bytes: portal });
  });

  test("other messages pass through unchanged", () => {
    for (const bytes of [serialize.query("select 1"), serialize.execute({ portal: "p" }), serialize.sync(), serialize.flush()]) {
      expect(namespaceStatementNames(message(bytes), prefix).bytes).toBe(bytes);
    }
  });

  test("handles multi-byte names", () => {
    const result = roundTrip(serialize.parse({ name: "naïve_☃", text: "select 1" }));
    expect(result.preparesStatement).toBe("c7_naïve_☃");
  });

  test("rejects an unterminated name", () => {
    const broken = serialize.parse({ name: "stmt", text: "select 1" }).subarray(0, 8);
    new DataView(broken.buffer, broken.byteOffset).setInt32(1, 7);
    expect(() => namespaceStatementNames(message(broken), prefix)).toThrow(WireProtocolError);
  });
});

describe("refuseCopyFromStdin", () => {
  const refusal = /^DO \$catalyst\$BEGIN RAISE EXCEPTION 'COPY FROM STDIN is not supported.*feature_not_supported/;

  test("replaces a Query containing COPY ... FROM STDIN", () => {
    const refused = refuseCopyFromStdin(message(serialize.query("insert into t values (1); COPY t (a, b) FROM stdin WITH (FORMAT csv)")));
    expect(refused.type).toBe("Q");
    expect(text(refused.bytes.subarray(5, -1))).toMatch(refusal);
    expect(splitFrontendMessages(refused.bytes).items).toHaveLength(1);
  });

  test("replaces a Parse's text but keeps its statement name", () => {
    const refused = refuseCopyFromStdin(message(serialize.parse({ name: "s1", text: "copy t from stdin" })));
    const namespaced = namespaceStatementNames(refused, "c1_");
    expect(namespaced.preparesStatement).toBe("c1_s1");
    expect(text(refused.bytes)).toMatch(/DO \$catalyst\$/);
    expect(splitFrontendMessages(refused.bytes).items).toHaveLength(1);
  });

  test("leaves COPY TO STDOUT, files, and unrelated statements alone", () => {
    for (const sql of ["copy t to stdout", "copy t from '/dev/blob'", "select 'copy'; select 1 from stdin_log", "select 1"]) {
      const query = message(serialize.query(sql));
      expect(refuseCopyFromStdin(query)).toBe(query);
      const parse = message(serialize.parse({ text: sql }));
      expect(refuseCopyFromStdin(parse)).toBe(parse);
    }
  });
});

describe("scanReadyForQuery", () => {
  const commandComplete = backend("C", new TextEncoder().encode("SELECT 1\0"));

  test("finds the status of the final ReadyForQuery", () => {
    for (const status of ["I", "T", "E"]) {
      expect(scanReadyForQuery(concat(commandComplete, readyForQuery(status)))).toEqual({
        lastStatus: status as "I" | "T" | "E",
        endsWithReadyForQuery: true,
      });
    }
  });

  test("reports the last of several and whether anything follows it", () => {
    const pipelined = concat(readyForQuery("T"), commandComplete, readyForQuery("I"));
    expect(scanReadyForQuery(pipelined)).toEqual({ lastStatus: "I", endsWithReadyForQuery: true });
    const parseAfterSync = concat(readyForQuery("I"), backend("1"));
    expect(scanReadyForQuery(parseAfterSync)).toEqual({ lastStatus: "I", endsWithReadyForQuery: false });
  });

  test("is not fooled by 'Z' bytes inside other messages", () => {
    const dataRow = backend("D", Uint8Array.of(0, 1, 0, 0, 0, 6, 0x5a, 0, 0, 0, 5, 0x49));
    expect(scanReadyForQuery(dataRow)).toEqual({ lastStatus: null, endsWithReadyForQuery: false });
  });

  test("a truncated trailing message does not count as ending with ReadyForQuery", () => {
    const truncated = concat(readyForQuery("I"), backend("D", new Uint8Array(10)).subarray(0, 8));
    expect(scanReadyForQuery(truncated).endsWithReadyForQuery).toBe(false);
    expect(scanReadyForQuery(new Uint8Array(0))).toEqual({ lastStatus: null, endsWithReadyForQuery: false });
  });
});

describe("buildErrorResponse", () => {
  test("frames an ErrorResponse with severity, SQLSTATE and message", () => {
    const bytes = buildErrorResponse({ severity: "FATAL", code: "53300", message: "too many connections" });
    expect(String.fromCharCode(bytes[0]!)).toBe("E");
    expect(new DataView(bytes.buffer).getInt32(1)).toBe(bytes.length - 1);
    expect(text(bytes.subarray(5))).toBe("SFATAL\0VFATAL\0C53300\0Mtoo many connections\0\0");
  });
});

describe("SASL authentication messages", () => {
  const authentication = (bytes: Uint8Array) => ({
    type: String.fromCharCode(bytes[0]!),
    length: new DataView(bytes.buffer).getInt32(1),
    code: new DataView(bytes.buffer).getInt32(5),
    payload: text(bytes.subarray(9)),
  });

  test("AuthenticationSASL lists the mechanisms, ended by an empty name", () => {
    const bytes = buildAuthenticationSasl(["SCRAM-SHA-256"]);
    expect(authentication(bytes)).toEqual({ type: "R", length: bytes.length - 1, code: 10, payload: "SCRAM-SHA-256\0\0" });
  });

  test("AuthenticationSASLContinue and AuthenticationSASLFinal carry the server's messages", () => {
    expect(authentication(buildAuthenticationSaslContinue("r=ab,s=cd,i=4096"))).toMatchObject({ code: 11, payload: "r=ab,s=cd,i=4096" });
    expect(authentication(buildAuthenticationSaslFinal("v=xyz"))).toMatchObject({ code: 12, payload: "v=xyz" });
  });

  test("reads the client's SASLInitialResponse and SASLResponse as a client library writes them", () => {
    const initial = serialize.sendSASLInitialResponseMessage("SCRAM-SHA-256", "n,,n=*,r=abc");
    expect(parseSaslInitialResponse(message(initial))).toEqual({ mechanism: "SCRAM-SHA-256", response: "n,,n=*,r=abc" });
    expect(parseSaslResponse(message(serialize.sendSCRAMClientFinalMessage("c=biws,r=abc,p=xyz")))).toBe("c=biws,r=abc,p=xyz");
  });

  test("a SASLInitialResponse whose declared length disagrees with the message is a protocol error", () => {
    const initial = serialize.sendSASLInitialResponseMessage("SCRAM-SHA-256", "n,,n=*,r=abc");
    const lengthAt = initial.indexOf(0, 5) + 1;
    for (const declared of [-1, 3, 1000]) {
      const bytes = initial.slice();
      new DataView(bytes.buffer).setInt32(lengthAt, declared);
      expect(() => parseSaslInitialResponse(message(bytes))).toThrow(WireProtocolError);
    }
    const noTerminator = concat(Uint8Array.of(0x70, 0, 0, 0, 8), new TextEncoder().encode("SCRA"));
    expect(() => parseSaslInitialResponse(message(noTerminator))).toThrow(WireProtocolError);
  });

  test("during authentication only 'p' messages within PostgreSQL's auth-token limit are accepted", () => {
    const query = serialize.query("select 1");
    expect(() => splitFrontendMessages(query, AUTHENTICATION_MESSAGES)).toThrow(WireProtocolError);
    const huge = Uint8Array.of(0x70, 0, 0x01, 0, 0x04);
    expect(() => splitFrontendMessages(huge, AUTHENTICATION_MESSAGES)).toThrow(WireProtocolError);
    const initial = serialize.sendSASLInitialResponseMessage("SCRAM-SHA-256", "n,,n=*,r=abc");
    expect(splitFrontendMessages(initial, AUTHENTICATION_MESSAGES).items).toHaveLength(1);
  });
});
