import { describe, expect, test } from "bun:test";
import {
  parseClientFinal,
  parseClientFirst,
  ScramMessageError,
  scramVerifier,
  serverFirstMessage,
  verifyClientFinal,
} from "../../src/adapters/db/scram.ts";

// RFC 7677 section 3: user "user", password "pencil".
const RFC = {
  password: "pencil",
  salt: Buffer.from("W22ZaJ0SNY7soEsUEjb6gQ==", "base64"),
  clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
  serverNonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
  serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

const rfcVerifier = scramVerifier(RFC.password, RFC.salt, 4096);
const rfcExchange = () => serverFirstMessage(parseClientFirst(RFC.clientFirst), RFC.serverNonce, rfcVerifier);

describe("SCRAM-SHA-256 server side: RFC 7677 test vector", () => {
  test("the server-first and server-final messages are the RFC's", () => {
    const exchange = rfcExchange();
    expect(exchange.serverFirst).toBe(RFC.serverFirst);
    expect(verifyClientFinal(exchange, parseClientFinal(RFC.clientFinal), rfcVerifier)).toEqual({ ok: true, serverFinal: RFC.serverFinal });
  });

  test("the same proof against another password is a wrong proof", () => {
    const verifier = scramVerifier("pencil2", RFC.salt, 4096);
    const exchange = serverFirstMessage(parseClientFirst(RFC.clientFirst), RFC.serverNonce, verifier);
    expect(verifyClientFinal(exchange, parseClientFinal(RFC.clientFinal), verifier)).toMatchObject({ ok: false, reason: "wrong-proof" });
  });

  test("a proof with one bit flipped is a wrong proof", () => {
    const final = parseClientFinal(RFC.clientFinal);
    const proof = Uint8Array.from(final.proof);
    proof[31]! ^= 1;
    expect(verifyClientFinal(rfcExchange(), { ...final, proof }, rfcVerifier)).toMatchObject({ ok: false, reason: "wrong-proof" });
  });

  test("a nonce other than the exchange's is refused as malformed, before the proof", () => {
    const final = parseClientFinal(RFC.clientFinal.replace("k0,p=", "k1,p="));
    expect(verifyClientFinal(rfcExchange(), final, rfcVerifier)).toMatchObject({ ok: false, reason: "malformed", detail: "the nonce does not match" });
  });

  test("channel-binding data other than the client-first's GS2 header is refused as malformed", () => {
    const final = parseClientFinal(RFC.clientFinal.replace("c=biws", "c=eSws")); // "y,," while the client sent "n,,"
    expect(verifyClientFinal(rfcExchange(), final, rfcVerifier)).toMatchObject({ ok: false, reason: "malformed" });
  });

  test("a client that says 'y' (supports binding, server offers none) completes the exchange", () => {
    const exchange = serverFirstMessage(parseClientFirst("y,,n=user,r=abc"), "def", rfcVerifier);
    expect(exchange.clientFirst.gs2Header).toBe("y,,");
    expect(exchange.serverFirst.startsWith("r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")).toBe(true);
  });
});

describe("SCRAM-SHA-256 server side: malformed messages", () => {
  test.each([
    ["empty", ""],
    ["no GS2 header", "n=user,r=abc"],
    ["channel binding requested (p=)", "p=tls-server-end-point,,n=user,r=abc"],
    ["unknown flag", "x,,n=user,r=abc"],
    ["authzid without a=", "n,user,n=user,r=abc"],
    ["mandatory extension", "n,,m=ext,n=user,r=abc"],
    ["no user attribute", "n,,r=abc"],
    ["no nonce", "n,,n=user"],
    ["empty nonce", "n,,n=user,r="],
    ["nonce with a non-printable character", "n,,n=user,r=ab\u0001c"],
  ])("client-first: %s", (_, message) => {
    expect(() => parseClientFirst(message)).toThrow(ScramMessageError);
  });

  test.each([
    ["empty", ""],
    ["no proof", "c=biws,r=abc"],
    ["proof not base64", "c=biws,r=abc,p=not*base64"],
    ["proof of the wrong length", `c=biws,r=abc,p=${Buffer.alloc(31).toString("base64")}`],
    ["no channel binding", `r=abc,p=${Buffer.alloc(32).toString("base64")}`],
    ["no nonce", `c=biws,p=${Buffer.alloc(32).toString("base64")}`],
  ])("client-final: %s", (_, message) => {
    expect(() => parseClientFinal(message)).toThrow(ScramMessageError);
  });

  test("a server nonce with a comma would corrupt the message: refused", () => {
    expect(() => serverFirstMessage(parseClientFirst(RFC.clientFirst), "a,b", rfcVerifier)).toThrow();
  });
});
