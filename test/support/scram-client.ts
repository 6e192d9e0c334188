/** The client side of SCRAM-SHA-256, for tests that speak the wire protocol by hand (postgres.js has its own). */
import { protocol } from "@electric-sql/pglite";
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

const { serialize } = protocol;

export interface ScramClient {
  /** SASLInitialResponse carrying `n,,n=*,r=<nonce>`, as postgres.js sends it. */
  initialResponse: Uint8Array;
  /** SASLResponse carrying the proof for the server-first message (from AuthenticationSASLContinue). */
  finalResponse(serverFirst: string): Uint8Array;
}

export function scramClient(password: string): ScramClient {
  const clientFirstBare = `n=*,r=${randomBytes(18).toString("base64")}`;
  return {
    initialResponse: serialize.sendSASLInitialResponseMessage("SCRAM-SHA-256", `n,,${clientFirstBare}`),
    finalResponse(serverFirst) {
      const fields = Object.fromEntries(serverFirst.split(",").map((field) => [field[0]!, field.slice(2)]));
      const salted = pbkdf2Sync(password, Buffer.from(fields.s!, "base64"), Number(fields.i), 32, "sha256");
      const clientKey = createHmac("sha256", salted).update("Client Key").digest();
      const storedKey = createHash("sha256").update(clientKey).digest();
      const withoutProof = `c=biws,r=${fields.r}`;
      const signature = createHmac("sha256", storedKey).update(`${clientFirstBare},${serverFirst},${withoutProof}`).digest();
      const proof = Buffer.from(clientKey.map((byte, i) => byte ^ signature[i]!)).toString("base64");
      return serialize.sendSCRAMClientFinalMessage(`${withoutProof},p=${proof}`);
    },
  };
}
