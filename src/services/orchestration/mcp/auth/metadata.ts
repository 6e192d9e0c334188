/**
 * The discovery documents: RFC 9728 protected resource metadata for /mcp and RFC 8414 authorization
 * server metadata. The appliance is both; every URL is built on the base the client reached us at.
 */
import type { OAuthMetadata, OAuthProtectedResourceMetadata } from "@modelcontextprotocol/sdk/shared/auth.js";
import { SCOPES } from "../../../../domain/oauth/scope.ts";

export const PROTECTED_RESOURCE_PATH = "/.well-known/oauth-protected-resource";
export const AUTHORIZATION_SERVER_PATH = "/.well-known/oauth-authorization-server";
export const REGISTER_PATH = "/register";
export const AUTHORIZE_PATH = "/authorize";
export const TOKEN_PATH = "/token";

/** The resource identifier (RFC 8707) tokens are bound to. */
export const resourceUrl = (base: string): string => `${base}/mcp`;

/** RFC 9728 §3.1: the well-known prefix inserted before the resource's path. */
export const resourceMetadataUrl = (base: string): string => `${base}${PROTECTED_RESOURCE_PATH}/mcp`;

export function protectedResourceMetadata(base: string): OAuthProtectedResourceMetadata {
  return {
    resource: resourceUrl(base),
    authorization_servers: [base],
    scopes_supported: [...SCOPES],
    bearer_methods_supported: ["header"],
    resource_name: "Catalyst",
  };
}

export function authorizationServerMetadata(base: string): OAuthMetadata {
  return {
    issuer: base,
    authorization_endpoint: `${base}${AUTHORIZE_PATH}`,
    token_endpoint: `${base}${TOKEN_PATH}`,
    registration_endpoint: `${base}${REGISTER_PATH}`,
    scopes_supported: [...SCOPES],
    response_types_supported: ["code"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["none", "client_secret_post", "client_secret_basic"],
    authorization_response_iss_parameter_supported: true,
  };
}
