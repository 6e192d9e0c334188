/**
 * `catalyst doctor [--json] [--fix] [--check NAME]`: one sweep from the command line (Claude Code
 * reads the JSON). Exit 0 ok, 1 warning, 2 critical, 3 could not run.
 */
import { createMailer } from "../adapters/mail/mailer.ts";
import type { Config } from "../config.ts";
import { exitCodeFor, type DoctorReport } from "../domain/doctor/report.ts";
import { CHECK_NAMES, REPORT_VERSION, type CheckName } from "../domain/doctor/types.ts";
import { resolveApiKey } from "../runtime/api-key.ts";
import { brokerSignedAs } from "../runtime/broker.ts";
import { withCliDatabase } from "../runtime/cli-database.ts";
import { errorMessage } from "../runtime/errors.ts";
import { createLogger } from "../runtime/log.ts";
import { VERSION } from "../version.ts";
import { runSweep } from "./sweep.ts";

export interface DoctorArgs {
  json: boolean;
  fix: boolean;
  check?: CheckName;
}

/** Parses the options; a problem comes back as a message naming the option. */
export function parseDoctorArgs(args: string[]): DoctorArgs | string {
  const parsed: DoctorArgs = { json: false, fix: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--json") parsed.json = true;
    else if (arg === "--fix") parsed.fix = true;
    else if (arg === "--check" || arg.startsWith("--check=")) {
      const name = arg === "--check" ? args[++i] : arg.slice("--check=".length);
      if (!name || !(CHECK_NAMES as readonly string[]).includes(name)) return `--check needs one of: ${CHECK_NAMES.join(", ")}${name ? ` (got "${name}")` : ""}`;
      parsed.check = name as CheckName;
    } else return `unknown option for doctor: ${arg}`;
  }
  return parsed;
}

export async function doctorCommand(config: Config, args: DoctorArgs): Promise<number> {
  const log = createLogger("doctor", config.logLevel);
  try {
    const broker = brokerSignedAs(config, resolveApiKey(config).key, "doctor");
    const { report, fixesApplied } = await withCliDatabase(config, (sql) =>
      runSweep(sql, broker, { mode: config.mode, trigger: "cli", fix: args.fix, only: args.check, mailer: createMailer(config), log }),
    );
    console.log(args.json ? JSON.stringify(report, null, 2) : humanReport(report, fixesApplied));
    return exitCodeFor(report.status);
  } catch (error) {
    const message = `the doctor could not run: ${errorMessage(error)}`;
    if (args.json) console.log(JSON.stringify({ version: REPORT_VERSION, mode: config.mode, checked_at: new Date().toISOString(), status: "error", error: message, checks: [] }, null, 2));
    else console.error(`catalyst: ${message}`);
    return 3;
  }
}

function humanReport(report: DoctorReport, fixesApplied: number): string {
  const lines = [`catalyst doctor ${VERSION} — ${report.mode} mode, ${report.checked_at}: ${report.status.toUpperCase()}`];
  for (const check of report.checks) {
    const mark = check.skipped ? "SKIP" : check.issues.length === 0 ? " ok " : check.severity.toUpperCase();
    lines.push(`  [${mark}] ${check.check}${check.skipped ? ` — ${check.skipped}` : ""}`);
    for (const issue of check.issues) {
      const fixed = issue.fixed ? (issue.fixed.applied ? ` FIXED: ${issue.fixed.result}` : ` not fixed: ${issue.fixed.result}`) : issue.fixable ? " (fixable with --fix)" : "";
      lines.push(`      ${issue.severity} ${issue.type} ${issue.entity}: ${issue.message}${fixed}`);
    }
  }
  if (fixesApplied > 0) lines.push(`${fixesApplied} fix(es) applied.`);
  return lines.join("\n");
}
