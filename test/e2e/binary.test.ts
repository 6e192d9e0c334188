/** The release artefact: build the binary, run it from an empty directory, every service healthy, SIGTERM → 0. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import pkg from "../../package.json" with { type: "json" };
import { SERVICE_NAMES, SERVICE_PORT_OFFSETS } from "../../src/runtime/services.ts";
import { allHealthy, releaseBinary, serveBinary } from "../support/binary.ts";
import { freePortBase, tempDir } from "../support/env.ts";
import { writeTinySentimentModel } from "../support/tiny-sentiment-model.ts";

const root = join(import.meta.dir, "../..");

describe("the built binary", () => {
  const work = tempDir("catalyst-binary-");
  let binary: string;

  beforeAll(() => {
    binary = releaseBinary();
  }, 120_000);

  afterAll(() => work.remove());

  const run = (args: string[], env: Record<string, string> = {}) =>
    Bun.spawnSync([binary, ...args], { cwd: work.path, env: { PATH: process.env.PATH ?? "", HOME: work.path, ...env }, stdout: "pipe", stderr: "pipe" });

  test("version (package version and the commit built from), help, and usage errors exit 2", () => {
    const head = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: root, stdout: "pipe" }).stdout.toString().trim();
    expect(run(["version"]).stdout.toString()).toMatch(new RegExp(`^catalyst ${pkg.version.replaceAll(".", "\\.")} \\(commit ${head}(-dirty)?\\)\n$`));
    expect(run(["help"]).exitCode).toBe(0);
    // The watchdog guide ships inside the binary.
    const guide = run(["help", "watchdog"]);
    expect(guide.exitCode).toBe(0);
    expect(guide.stdout.toString()).toContain("catalyst doctor --json");
    expect(run(["help", "everything"]).exitCode).toBe(2);
    const unknown = run(["launch"]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr.toString()).toContain("unknown command: launch");
    expect(unknown.stderr.toString()).toContain("Usage:");
    expect(run(["serve", "--fast"]).exitCode).toBe(2);
    expect(run([]).exitCode).toBe(2);
  });

  test("a bad setting fails fast naming the variable", () => {
    const result = run(["serve"], { CATALYST_MODE: "life" });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.toString()).toContain("CATALYST_MODE");
    // Under systemd (JOURNAL_STREAM set) the same failure is one JSON line at journald's error priority.
    const journaled = run(["serve"], { CATALYST_MODE: "life", JOURNAL_STREAM: "8:12345" });
    expect(journaled.exitCode).toBe(1);
    const line = journaled.stderr.toString().trim();
    expect(line.startsWith("<3>{")).toBe(true);
    expect(JSON.parse(line.slice(3))).toMatchObject({ level: "error", service: "cli", msg: "catalyst failed", command: "serve", error: expect.stringContaining("CATALYST_MODE") });
  });

  test("`migrate` on a new data dir: the shipped image already carries every sql/ migration", () => {
    const dataDir = join(work.path, "migrate-data");
    const migrations = readdirSync(join(root, "sql")).filter((f) => f.endsWith(".sql")).length;
    for (let run_ = 0; run_ < 2; run_++) {
      const result = run(["migrate"], { CATALYST_DATA_DIR: dataDir });
      expect(result.exitCode).toBe(0);
      expect(result.stdout.toString()).toContain(`up to date (${migrations} migrations applied)`);
    }
  });

  test("serve from an empty directory: every service /health 200, SIGTERM → exit 0", async () => {
    const base = await freePortBase();
    const dataDir = join(work.path, "serve-data");
    // A Sunday: the first run sees a closed market.
    const child = serveBinary(work.path, { CATALYST_DATA_DIR: dataDir, CATALYST_PORT_BASE: String(base), CATALYST_LOG_LEVEL: "info", VENUE_START: "2026-03-08T12:00" });
    try {
      const bodies = await allHealthy(base);
      for (const [i, service] of SERVICE_NAMES.entries()) expect(bodies[i]).toMatchObject({ service, status: "ok", mode: "sim" });
      expect(existsSync(join(dataDir, "api-key"))).toBe(true);
      expect(existsSync(join(dataDir, "pg", "PG_VERSION"))).toBe(true);

      // Its embedded database refuses a local process without the data dir's password (release-smoke
      // runs the doctor beside it, which uses the password from embedded-db.url).
      expect(statSync(join(dataDir, "embedded-db.secret")).mode & 0o777).toBe(0o600);
      const withoutPassword = new URL(readFileSync(join(dataDir, "embedded-db.url"), "utf8").trim());
      withoutPassword.password = "";
      const intruder = postgres(withoutPassword.href, { max: 1, onnotice: () => undefined });
      await expect(intruder`select count(*) from orders`).rejects.toMatchObject({ code: "28P01" });
      await intruder.end({ timeout: 0 });
    } finally {
      child.kill("SIGTERM");
    }
    expect(await child.exited).toBe(0);
    const [stdout, stderr] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
    // Not a terminal (as under systemd): one JSON line says what started and where the key is; the key is in neither stream.
    const started = stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => entry.msg === "catalyst started");
    expect(started).toMatchObject({ level: "info", service: "supervisor", mode: "sim", bus: "in-process", apiKeyFrom: join(dataDir, "api-key") });
    expect(Object.keys(started!.services as object).sort()).toEqual([...SERVICE_NAMES].sort());
    // …and one line says the market is closed, until when, and how to rehearse a day meanwhile.
    const closed = stderr.split("\n").find((line) => line.includes("market closed"));
    expect(JSON.parse(closed!)).toMatchObject({
      level: "info",
      msg: expect.stringContaining("nothing trades until Monday 2026-03-09 09:30 ET. To rehearse a whole day now: catalyst demo"),
      nextOpen: "2026-03-09T13:30:00.000Z",
      rehearse: "catalyst demo",
    });
    const key = readFileSync(join(dataDir, "api-key"), "utf8").trim();
    expect(key.length).toBeGreaterThanOrEqual(32);
    expect(stdout + stderr).not.toContain(key);
    expect(stdout + stderr).not.toContain(readFileSync(join(dataDir, "embedded-db.secret"), "utf8").trim());
    const refusal = stderr.split("\n").find((line) => line.includes("embedded database refused a connection"));
    expect(JSON.parse(refusal!)).toMatchObject({ level: "warn", service: "embedded-db", code: "28P01", peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect(existsSync(join(dataDir, "catalyst.lock"))).toBe(false);
  }, 60_000);

  test("`sentiment` scores with FinBERT inside the binary: transformers.js on the embedded ONNX Runtime WebAssembly", () => {
    const models = writeTinySentimentModel(join(work.path, "models/tiny-finbert"));
    const dataDir = join(work.path, "sentiment-data");
    const headlines = ["Acme beats estimates as shares surge", "Acme shares plunge after lawsuit"] as const;
    const result = run(["sentiment", "--json", ...headlines], { CATALYST_MODELS_DIR: models, CATALYST_DATA_DIR: dataDir });
    expect(result.exitCode).toBe(0);
    const out = JSON.parse(result.stdout.toString()) as { model: string; sentiments: { text: string; label: string; score: number; model: string }[] };
    expect(out.model).toBe("finbert:tiny-finbert");
    expect(out.sentiments.map((s) => [s.text, s.label, s.model])).toEqual([
      [headlines[0], "positive", "finbert:tiny-finbert"],
      [headlines[1], "negative", "finbert:tiny-finbert"],
    ]);
    const loaded = result.stderr
      .toString()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg: string; onnxRuntime?: string })
      .find((entry) => entry.msg === "sentiment model: FinBERT");
    // The runtime comes from inside the binary, not from a node_modules folder.
    expect(loaded?.onnxRuntime).toMatch(/ort-wasm-simd.*\.wasm$/);
    expect(loaded?.onnxRuntime).not.toContain("node_modules");
    // Without a model folder: the lexicon, and the text output says which model scored.
    const plain = run(["sentiment", "Acme misses estimates"], { CATALYST_DATA_DIR: dataDir });
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout.toString()).toMatch(/^model: lexicon-v1\nnegative\s+-0\.\d{4}\s+confidence \d\.\d\d\s+Acme misses estimates\n$/);
    expect(run(["sentiment"]).exitCode).toBe(2);
  });

  test("a port already in use: one line naming the port and the service, exit 1", async () => {
    const base = await freePortBase();
    const squatter = Bun.listen({ hostname: "127.0.0.1", port: base + SERVICE_PORT_OFFSETS.risk, socket: { data() {} } });
    try {
      const child = serveBinary(work.path, { CATALYST_DATA_DIR: join(work.path, "port-data"), CATALYST_PORT_BASE: String(base), CATALYST_LOG_LEVEL: "error" });
      expect(await child.exited).toBe(1);
      const lines = (await new Response(child.stderr).text()).trim().split("\n");
      expect(lines.at(-1)).toBe(`catalyst: port ${base + SERVICE_PORT_OFFSETS.risk} (risk) is already in use: stop what holds it, or set CATALYST_PORT_BASE`);
    } finally {
      squatter.stop();
    }
  }, 60_000);
});
