/**
 * The deployment files pass their own tools: `systemd-analyze verify` for catalyst.service and
 * `caddy validate` for the Caddyfile. A missing tool fails the test (spawning it throws), never skips.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SERVICE_NAMES } from "../../src/runtime/services.ts";
import { OAUTH_PATHS } from "../../src/services/orchestration/mcp/auth/oauth.ts";
import { unitRuntimeEnv } from "../support/binary.ts";
import { tempDir } from "../support/env.ts";

const root = join(import.meta.dir, "../..");
const unitText = readFileSync(join(root, "catalyst.service"), "utf8");

const backupUnits = {
  "catalyst-backup.service": readFileSync(join(root, "scripts/systemd/catalyst-backup.service"), "utf8"),
  "catalyst-backup.timer": readFileSync(join(root, "scripts/systemd/catalyst-backup.timer"), "utf8"),
};

/**
 * A filesystem root holding the units, systemd's own units (for the targets they name) and
 * executables where scripts/install puts them, so verify checks the units rather than this machine.
 */
function verifyUnits(units: Record<string, string>): { exitCode: number; output: string } {
  const tree = tempDir("catalyst-unit-");
  try {
    mkdirSync(join(tree.path, "etc/systemd/system"), { recursive: true });
    mkdirSync(join(tree.path, "usr/lib/systemd"), { recursive: true });
    cpSync("/usr/lib/systemd/system", join(tree.path, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true });
    for (const [name, text] of Object.entries(units)) writeFileSync(join(tree.path, "etc/systemd/system", name), text);
    for (const executable of ["usr/local/bin/catalyst", "usr/local/lib/catalyst/backup"]) {
      mkdirSync(join(tree.path, executable, ".."), { recursive: true });
      writeFileSync(join(tree.path, executable), "#!/bin/sh\n");
      chmodSync(join(tree.path, executable), 0o755);
    }
    const result = Bun.spawnSync(["systemd-analyze", "verify", "--man=no", `--root=${tree.path}`, ...Object.keys(units)], { stdout: "pipe", stderr: "pipe" });
    return { exitCode: result.exitCode, output: result.stdout.toString() + result.stderr.toString() };
  } finally {
    tree.remove();
  }
}

function directives(text: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match) found.set(match[1]!, [...(found.get(match[1]!) ?? []), match[2]!]);
  }
  return found;
}

const verifyUnit = (text: string) => verifyUnits({ "catalyst.service": text });

describe("catalyst.service", () => {
  test("systemd-analyze verify: exit 0, no warnings", () => {
    const { exitCode, output } = verifyUnit(unitText);
    expect(output).toBe("");
    expect(exitCode).toBe(0);
  });

  test("verify catches a broken unit (the check above is not vacuous)", () => {
    const broken = verifyUnit(unitText.replace("ExecStart=/usr/local/bin/catalyst serve", "ExecStart=catalyst-missing serve"));
    expect(broken.exitCode).not.toBe(0);
    expect(verifyUnit(unitText.replace("Restart=always", "Restart=sometimes")).output).toContain("restart specifier");
  });

  test("runs as its own user, from the env file, writing only its data dir, within a 4 GB droplet", () => {
    const unit = directives(unitText);
    expect(unit.get("User")).toEqual(["catalyst"]);
    expect(unit.get("EnvironmentFile")).toEqual(["/etc/catalyst/catalyst.env", "/etc/catalyst/api-key.env", "-/etc/catalyst/caddy.env"]);
    expect(unit.get("Environment")).toEqual([
      "CATALYST_DATA_DIR=/var/lib/catalyst",
      "BUN_JSC_forceRAMSize=536870912",
      "BUN_JSC_largeHeapGrowthFactor=1.03",
      "BUN_JSC_mediumHeapGrowthFactor=1.05",
      "BUN_JSC_smallHeapGrowthFactor=1.1",
    ]);
    expect(unit.get("ExecStart")).toEqual(["/usr/local/bin/catalyst serve"]);
    expect(unit.get("Restart")).toEqual(["always"]);
    expect(unit.get("ProtectSystem")).toEqual(["strict"]);
    expect(unit.get("ReadWritePaths")).toEqual(["/var/lib/catalyst"]);
    expect(unit.get("NoNewPrivileges")).toEqual(["yes"]);
    expect(unit.get("MemoryMax")).toEqual(["3G"]);
    // Bun's JIT writes executable pages: this setting would kill it at start.
    expect(unit.has("MemoryDenyWriteExecute")).toBe(false);
  });

  test("its garbage-collection settings are ones the runtime accepts (a misspelt BUN_JSC_ name stops Bun at start)", () => {
    const runtime = unitRuntimeEnv();
    expect(Object.keys(runtime).length).toBe(4);
    const run = (env: Record<string, string>) =>
      Bun.spawnSync([process.execPath, "-e", "console.log('started')"], { env: { PATH: process.env.PATH ?? "", ...env }, stdout: "pipe", stderr: "pipe" });
    const started = run(runtime);
    expect(started.stderr.toString()).toBe("");
    expect(started.stdout.toString().trim()).toBe("started");
    const misspelt = run({ ...runtime, BUN_JSC_smallHeapGrowthFactr: "1.1" });
    expect(misspelt.exitCode).not.toBe(0);
    expect(misspelt.stderr.toString()).toContain("invalid JSC environment variable");
  });
});

describe("the nightly backup (catalyst-backup.timer → .service → scripts/backup)", () => {
  test("systemd-analyze verify: exit 0, no warnings; a broken schedule is caught", () => {
    const { exitCode, output } = verifyUnits(backupUnits);
    expect(output).toBe("");
    expect(exitCode).toBe(0);
    const broken = verifyUnits({ ...backupUnits, "catalyst-backup.timer": backupUnits["catalyst-backup.timer"].replace("17:30", "25:30") });
    expect(broken.output).toContain("Failed to parse calendar specification");
    expect(broken.exitCode).not.toBe(0);
  });

  test("fires on weekdays at 17:30 New York time, in winter and in summer", () => {
    const schedule = directives(backupUnits["catalyst-backup.timer"]).get("OnCalendar")![0]!;
    const next = (base: string) => {
      const result = Bun.spawnSync(["systemd-analyze", "calendar", schedule, `--base-time=${base}`, "--iterations=2"], { stdout: "pipe", stderr: "pipe", env: { ...process.env, TZ: "UTC" } });
      expect(result.exitCode).toBe(0);
      return [...result.stdout.toString().matchAll(/(?:Next elapse|Iter\. #\d+): (.+ UTC)/g)].map((m) => m[1]);
    };
    // Friday in January (EST, UTC-5), then Monday; Friday in July (EDT, UTC-4).
    expect(next("2026-01-09 12:00 UTC")).toEqual(["Fri 2026-01-09 22:30:00 UTC", "Mon 2026-01-12 22:30:00 UTC"]);
    expect(next("2026-07-10 12:00 UTC")).toEqual(["Fri 2026-07-10 21:30:00 UTC", "Mon 2026-07-13 21:30:00 UTC"]);
  });

  test("scripts/install puts the script where the unit runs it, and keeps 30", () => {
    const install = readFileSync(join(root, "scripts/install"), "utf8");
    const execStart = directives(backupUnits["catalyst-backup.service"]).get("ExecStart")![0]!;
    expect(execStart).toBe("/usr/local/lib/catalyst/backup --keep 30");
    expect(install).toContain('"$release/scripts/backup" /usr/local/lib/catalyst/backup');
    expect(install).toContain('"$release/scripts/lib/catalyst-env.sh" /usr/local/lib/catalyst/lib/catalyst-env.sh');
    expect(install).toContain("systemctl enable --quiet --now catalyst-backup.timer");
  });
});

describe("Caddyfile", () => {
  const dir = tempDir("catalyst-caddy-");
  afterAll(() => dir.remove());

  const validate = (config: string) => {
    writeFileSync(join(dir.path, "Caddyfile"), config);
    const hash = Bun.spawnSync(["caddy", "hash-password", "--plaintext", "report-password"], { stdout: "pipe" }).stdout.toString().trim();
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: dir.path,
      XDG_DATA_HOME: dir.path,
      XDG_CONFIG_HOME: dir.path,
      CATALYST_DOMAIN: "catalyst.example.com",
      CATALYST_API_KEY: "0123456789abcdef0123456789abcdef",
      CATALYST_REPORT_USER: "trader",
      CATALYST_REPORT_HASH: hash,
    };
    const result = Bun.spawnSync(["caddy", "validate", "--adapter", "caddyfile", "--config", join(dir.path, "Caddyfile")], { env, stdout: "pipe", stderr: "pipe" });
    return { exitCode: result.exitCode, output: result.stdout.toString() + result.stderr.toString() };
  };

  test("caddy validate: valid", () => {
    const result = validate(readFileSync(join(root, "Caddyfile"), "utf8"));
    expect(result.output).toContain("Valid configuration");
    expect(result.exitCode).toBe(0);
  });

  test("exactly the OAuth endpoints orchestration serves are proxied to it", () => {
    const caddyfile = readFileSync(join(root, "Caddyfile"), "utf8");
    const matcher = /^\s*@oauth path (.+)$/m.exec(caddyfile);
    expect(matcher?.[1]!.split(" ").sort()).toEqual([...OAUTH_PATHS].sort());
    expect(caddyfile).toMatch(/handle @oauth \{\s*reverse_proxy \{\$CATALYST_ORCHESTRATION_ADDR:127\.0\.0\.1:5000\}/);
  });

  test("caddy validate catches a broken Caddyfile", () => {
    const broken = validate(readFileSync(join(root, "Caddyfile"), "utf8").replace("flush_interval -1", "flush_interval soon"));
    expect(broken.exitCode).not.toBe(0);
  });
});

describe("catalyst.env.example", () => {
  test("documents every variable src/config.ts reads", () => {
    const configSource = readFileSync(join(root, "src/config.ts"), "utf8");
    const read = new Set([...configSource.matchAll(/\(env, "([A-Z][A-Z0-9_]+)"/g)].map((m) => m[1]!));
    for (const service of SERVICE_NAMES) read.add(`CATALYST_URL_${service.toUpperCase()}`);
    read.delete("HOME"); // only the data dir's fallback; the unit sets CATALYST_DATA_DIR
    const template = readFileSync(join(root, "catalyst.env.example"), "utf8");
    const documented = new Set([...template.matchAll(/^#?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!));
    expect(read.size).toBeGreaterThan(40);
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented].filter((name) => !read.has(name))).toEqual([]);
  });
});
