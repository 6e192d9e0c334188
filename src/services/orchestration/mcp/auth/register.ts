/** Dynamic client registration (RFC 7591): how Claude's connectors introduce themselves. */
import { randomBytes, randomUUID } from "node:crypto";
import type { Sql } from "postgres";
import { OAuthClientMetadataSchema, type OAuthClientInformationFull } from "@modelcontextprotocol/sdk/shared/auth.js";
import { InvalidClientMetadataError, OAuthError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import { redirectUriProblem } from "../../../../domain/oauth/redirect-uri.ts";
import { parseScope } from "../../../../domain/oauth/scope.ts";
import { hashSecret, saveClient } from "./store.ts";

const GRANT_TYPES = ["authorization_code", "refresh_token"];
const AUTH_METHODS = ["none", "client_secret_post", "client_secret_basic"];

export class InvalidRedirectUriError extends OAuthError {
  static override errorCode = "invalid_redirect_uri";
}

/** The registered client as RFC 7591 §3.2.1 answers it; throws an OAuthError naming the bad field. */
export async function registerClient(sql: Sql, body: unknown): Promise<OAuthClientInformationFull> {
  const parsed = OAuthClientMetadataSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidClientMetadataError(`${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  const metadata = parsed.data;
  if (metadata.redirect_uris.length === 0) throw new InvalidRedirectUriError("redirect_uris: at least one is required");
  for (const uri of metadata.redirect_uris) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new InvalidRedirectUriError(`redirect_uris: ${problem}`);
  }
  const grantTypes = metadata.grant_types ?? ["authorization_code", "refresh_token"];
  const badGrant = grantTypes.find((g) => !GRANT_TYPES.includes(g));
  if (badGrant) throw new InvalidClientMetadataError(`grant_types: ${badGrant} is not supported (only ${GRANT_TYPES.join(", ")})`);
  if (metadata.response_types?.some((r) => r !== "code")) throw new InvalidClientMetadataError("response_types: only code is supported");
  // RFC 7591 §2: the default is client_secret_basic.
  const method = metadata.token_endpoint_auth_method ?? "client_secret_basic";
  if (!AUTH_METHODS.includes(method)) throw new InvalidClientMetadataError(`token_endpoint_auth_method: ${method} is not supported (use ${AUTH_METHODS.join(", ")})`);
  if (metadata.scope !== undefined && parseScope(metadata.scope) === null) throw new InvalidClientMetadataError(`scope: "${metadata.scope}" names an unknown scope (read, trade)`);

  const secret = method === "none" ? null : randomBytes(32).toString("base64url");
  const client: OAuthClientInformationFull = {
    ...metadata,
    grant_types: grantTypes,
    response_types: ["code"],
    token_endpoint_auth_method: method,
    client_id: randomUUID(),
    client_id_issued_at: Math.floor(Date.now() / 1000),
    ...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
  };
  const { client_secret: _, ...stored } = client;
  await saveClient(sql, { clientId: client.client_id, clientSecretHash: secret ? hashSecret(secret) : null, metadata: stored });
  return client;
}
