/** The confirm half of a two-phase MCP action: a preview's token, checked, matched to the asked terms and spent once. */
import { checkActionToken, differingActionTerms, issueActionToken, type ActionTerms } from "../../../domain/mcp/confirm-token.ts";
import { McpToolError, type McpDeps } from "./deps.ts";

/** A token for `action` on exactly `terms`, and when it expires. */
export function previewToken(deps: McpDeps, action: string, terms: ActionTerms): { confirmToken: string; expiresAt: string } {
  const expiresAt = deps.now() + deps.confirmTtlMs;
  return { confirmToken: issueActionToken(deps.tokenSecret, action, terms, expiresAt, crypto.randomUUID()), expiresAt: new Date(expiresAt).toISOString() };
}

/** Throws a tool error saying nothing was done unless the token confirms `action` on `asked`; spends it. */
export function spendConfirmation(deps: McpDeps, token: string, action: string, asked: ActionTerms): void {
  const check = checkActionToken(deps.tokenSecret, token, deps.now(), action);
  if (!check.ok) {
    const why = { malformed: "is not a confirm token", bad_signature: "was not issued by this Catalyst", expired: "has expired", wrong_action: `was not issued for ${action}` }[check.reason];
    throw new McpToolError(`confirm_token_${check.reason}`, `the confirm token ${why}; nothing was done. Call ${action} without a confirmToken to preview again.`, "confirmToken");
  }
  const differing = differingActionTerms(check.claims.terms, asked);
  if (differing.length > 0) {
    throw new McpToolError("confirm_token_mismatch", `this confirm token was issued for different terms (${differing.join(", ")} differ); nothing was done. Preview these terms first.`, differing[0] === "reason" ? "reason" : "confirmToken");
  }
  if (!deps.spendToken(check.claims.nonce, check.claims.expiresAt)) {
    throw new McpToolError("confirm_token_used", `this confirm token was already used; nothing was done. Preview again to ${action} once more.`, "confirmToken");
  }
}
