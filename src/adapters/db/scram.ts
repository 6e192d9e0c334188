// The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it, for the embedded
// wire server: parse the client's two messages, write the server's two, verify the proof. Pure
// computation: the caller supplies the random nonce and does the I/O. No channel binding (the
// loopback wire server has no TLS), so only SCRAM-SHA-256 is offered, never SCRAM-SHA-256-PLUS.
import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from "node:crypto";

export const SCRAM_MECHANISM = "SCRAM-SHA-256";
/** PostgreSQL's default (scram_iterations). */
export const SCRAM_ITERATIONS = 4096;

/** What the server keeps instead of the password (PostgreSQL's rolpassword verifier). */
export interface ScramVerifier {
  salt: Uint8Array;
  iterations: number;
  storedKey: Uint8Array;
  serverKey: Uint8Array;
}

/** A message that is not SCRAM as RFC 5802 writes it (PostgreSQL: 08P01 "malformed SCRAM message"). */
export class ScramMessageError extends Error {
  override readonly name = "ScramMessageError";
}

export interface ClientFirst {
  /** "n,," or "y,,": what the client-final's c= must carry, base64-encoded. */
  gs2Header: string;
  clientFirstBare: string;
  clientNonce: string;
}

export interface ClientFinal {
  channelBinding: string;
  nonce: string;
  proof: Uint8Array;
  withoutProof: string;
}

/** The server's state between its first message and the client's final one. */
export interface ScramExchange {
  clientFirst: ClientFirst;
  serverFirst: string;
  nonce: string;
}

export function scramVerifier(password: string, salt: Uint8Array, iterations = SCRAM_ITERATIONS): ScramVerifier {
  const saltedPassword = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = hmac(saltedPassword, "Client Key");
  return { salt, iterations, storedKey: sha256(clientKey), serverKey: hmac(saltedPassword, "Server Key") };
}

/** client-first-message = gs2-header client-first-bare; the user name is ignored, as PostgreSQL does. */
export function parseClientFirst(message: string): ClientFirst {
  const [flag, authzid, ...attributes] = message.split(",");
  if (flag === undefined || authzid === undefined) throw new ScramMessageError("missing GS2 header");
  if (flag.startsWith("p=")) throw new ScramMessageError("channel binding is not supported (no TLS)");
  if (flag !== "n" && flag !== "y") throw new ScramMessageError(`unexpected channel-binding flag "${flag}"`);
  if (authzid !== "" && !authzid.startsWith("a=")) throw new ScramMessageError("malformed authorization identity");
  if (attributes[0]?.startsWith("m=")) throw new ScramMessageError("mandatory extensions are not supported");
  if (!attributes[0]?.startsWith("n=")) throw new ScramMessageError("expected the user name attribute n=");
  const nonce = attributes[1]?.startsWith("r=") ? attributes[1].slice(2) : "";
  if (!isPrintableNonce(nonce)) throw new ScramMessageError("expected a non-empty printable client nonce r=");
  return { gs2Header: `${flag},${authzid},`, clientFirstBare: attributes.join(","), clientNonce: nonce };
}

/** server-first-message = r=<client nonce + server nonce>,s=<salt>,i=<iterations>. */
export function serverFirstMessage(clientFirst: ClientFirst, serverNonce: string, verifier: ScramVerifier): ScramExchange {
  if (!isPrintableNonce(serverNonce)) throw new Error("the server nonce must be printable ASCII without commas");
  const nonce = clientFirst.clientNonce + serverNonce;
  const serverFirst = `r=${nonce},s=${Buffer.from(verifier.salt).toString("base64")},i=${verifier.iterations}`;
  return { clientFirst, serverFirst, nonce };
}

/** client-final-message = c=<channel binding>,r=<nonce>[,extensions],p=<proof>. */
export function parseClientFinal(message: string): ClientFinal {
  const proofAt = message.lastIndexOf(",p=");
  if (proofAt < 0) throw new ScramMessageError("expected the client proof p=");
  const withoutProof = message.slice(0, proofAt);
  const proofText = message.slice(proofAt + 3);
  const [binding, nonce] = withoutProof.split(",");
  if (!binding?.startsWith("c=")) throw new ScramMessageError("expected the channel binding c=");
  if (!nonce?.startsWith("r=")) throw new ScramMessageError("expected the nonce r=");
  if (!isBase64(proofText)) throw new ScramMessageError("the client proof is not base64");
  const proof = Buffer.from(proofText, "base64");
  if (proof.length !== 32) throw new ScramMessageError("the client proof is not 32 bytes");
  return { channelBinding: binding.slice(2), nonce: nonce.slice(2), proof, withoutProof };
}

export type ScramVerdict =
  | { ok: true; serverFinal: string }
  | { ok: false; reason: "malformed" | "wrong-proof"; detail: string };

/**
 * Checks the client-final against the exchange and the verifier. A mismatched channel binding or
 * nonce is a protocol error (the client is not following the exchange); a wrong proof is a wrong
 * password. The proof check compares in constant time.
 */
export function verifyClientFinal(exchange: ScramExchange, final: ClientFinal, verifier: ScramVerifier): ScramVerdict {
  if (final.channelBinding !== Buffer.from(exchange.clientFirst.gs2Header).toString("base64")) {
    return { ok: false, reason: "malformed", detail: "unexpected channel-binding data" };
  }
  if (final.nonce !== exchange.nonce) return { ok: false, reason: "malformed", detail: "the nonce does not match" };
  const authMessage = `${exchange.clientFirst.clientFirstBare},${exchange.serverFirst},${final.withoutProof}`;
  const clientSignature = hmac(verifier.storedKey, authMessage);
  const clientKey = xor(final.proof, clientSignature);
  if (!timingSafeEqual(sha256(clientKey), verifier.storedKey)) {
    return { ok: false, reason: "wrong-proof", detail: "the client proof does not match" };
  }
  const serverSignature = hmac(verifier.serverKey, authMessage);
  return { ok: true, serverFinal: `v=${serverSignature.toString("base64")}` };
}

/** RFC 5802 printable: %x21-2B / %x2D-7E (no comma). */
function isPrintableNonce(text: string): boolean {
  return /^[\x21-\x2b\x2d-\x7e]+$/.test(text);
}

function isBase64(text: string): boolean {
  return text.length > 0 && text.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text);
}

function hmac(key: Uint8Array, text: string): Buffer {
  return createHmac("sha256", key).update(text).digest();
}

function sha256(bytes: Uint8Array): Buffer {
  return createHash("sha256").update(bytes).digest();
}

function xor(a: Uint8Array, b: Uint8Array): Buffer {
  return Buffer.from(a.map((byte, i) => byte ^ b[i]!));
}
