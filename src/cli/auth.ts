/** `catalyst auth code|list|revoke`: the trader's side of OAuth for remote MCP connectors. */
import { loadConfig } from "../config.ts";
import { withCliDatabase } from "../runtime/cli-database.ts";
import { UserFixableError } from "../runtime/errors.ts";
import { createLoginCode, listGrants, LOGIN_CODE_MINUTES, revokeAllGrants, revokeGrant, type GrantSummary } from "../services/orchestration/mcp/auth/store.ts";
import { noArgs, UsageError } from "./args.ts";

class UnknownGrantError extends UserFixableError {}

async function code(args: string[]): Promise<number> {
  noArgs("auth code", args);
  const value = await withCliDatabase(loadConfig(), createLoginCode);
  console.log(`${value}\n\nType it on the Catalyst authorize page instead of the API key. It works once, within ${LOGIN_CODE_MINUTES} minutes.`);
  return 0;
}

const when = (date: Date | null) => (date ? date.toISOString().slice(0, 16).replace("T", " ") : "-");

function grantLine(grant: GrantSummary): string {
  const status = grant.revokedAt ? `revoked ${when(grant.revokedAt)} (${grant.revokedWhy})` : "active";
  return `${String(grant.grantId).padStart(4)}  ${grant.clientName.slice(0, 28).padEnd(28)}  ${grant.scope.padEnd(10)}  ${when(grant.createdAt).padEnd(16)}  ${when(grant.lastUsedAt).padEnd(16)}  ${status}`;
}

async function list(args: string[]): Promise<number> {
  const flags = new Set(args);
  const unknown = args.find((a) => a !== "--all" && a !== "--json");
  if (unknown) throw new UsageError(`unknown option for auth list: ${unknown}`);
  const grants = await withCliDatabase(loadConfig(), (sql) => listGrants(sql, flags.has("--all")));
  if (flags.has("--json")) {
    console.log(JSON.stringify(grants, null, 2));
    return 0;
  }
  if (grants.length === 0) {
    console.log(flags.has("--all") ? "no connector was ever authorized" : "no active connector (--all shows revoked ones too)");
    return 0;
  }
  console.log(`  ID  ${"CLIENT".padEnd(28)}  ${"SCOPE".padEnd(10)}  ${"AUTHORIZED".padEnd(16)}  ${"LAST REFRESH".padEnd(16)}  STATUS`);
  for (const grant of grants) console.log(grantLine(grant));
  return 0;
}

async function revoke(args: string[]): Promise<number> {
  if (args.length === 1 && args[0] === "--all") {
    const count = await withCliDatabase(loadConfig(), (sql) => revokeAllGrants(sql, "revoked by the trader (catalyst auth revoke --all)"));
    console.log(`revoked ${count} connector grant(s): their access and refresh tokens no longer work`);
    return 0;
  }
  const id = Number(args[0]);
  if (args.length !== 1 || !Number.isSafeInteger(id) || id <= 0) throw new UsageError("auth revoke needs a grant ID (see catalyst auth list) or --all");
  const revoked = await withCliDatabase(loadConfig(), (sql) => revokeGrant(sql, id, "revoked by the trader (catalyst auth revoke)"));
  if (!revoked) throw new UnknownGrantError(`no active grant ${id}: catalyst auth list shows the active ones`);
  console.log(`revoked grant ${id}: its access and refresh tokens no longer work`);
  return 0;
}

export function authCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "code") return code(rest);
  if (sub === "list") return list(rest);
  if (sub === "revoke") return revoke(rest);
  throw new UsageError(sub === undefined ? "auth needs code, list or revoke" : `unknown auth command: ${sub} (use code, list or revoke)`);
}
