/**
 * `catalyst demo [--date D] [--speed X] [--mode M] [--data-dir DIR]`: one whole simulated trading
 * day, end to end, on its own appliance (sim mode, embedded database, in-process bus, free ports),
 * then the day's summary. It never touches the configured database, Redis, Alpaca or mailer: a
 * rehearsal must not reach anything real. Without --data-dir it runs in a fresh temporary folder
 * and removes it afterwards (the report page is saved first).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { journalRoute, performanceRoute } from "../contracts/reporting.ts";
import { getCycleRoute, startCycleRoute, type CycleView } from "../contracts/workflow.ts";
import { SCAN_MODES, type ScanMode } from "../domain/scanner/modes.ts";
import { isTerminal, type CycleState } from "../domain/workflow/cycle-states.ts";
import { etDate, etInstant, formatEt, isTradingDay, nextTradingDay, previousTradingDay, session, type IsoDate } from "../domain/exchange-calendar.ts";
import { addDecimal, compareDecimal, subtractDecimal } from "../domain/money.ts";
import { isCalendarDate } from "../domain/reporting/periods.ts";
import { loadConfig, servicePort, type Config } from "../config.ts";
import { brokerSignedAs } from "../runtime/broker.ts";
import { ServiceClient } from "../runtime/client.ts";
import { UserFixableError } from "../runtime/errors.ts";
import { freePortBase } from "../runtime/free-ports.ts";
import { startAppliance } from "../runtime/supervisor.ts";
import { numberOption, parseOptions, UsageError } from "./args.ts";

const MODES = Object.keys(SCAN_MODES) as ScanMode[];
const DEFAULT_SPEED = 300;
const MAX_SPEED = 1_000;
/** The venue starts before the pre-market scan so the cycle sees the whole day. */
const DAY_START = "09:05";
const POLL_MS = 500;

/** Settings a rehearsal must not inherit: anything that reaches a real database, bus, broker or inbox. */
const REAL_WORLD = /^(DATABASE_URL|REDIS_URL|ALPACA_|SMTP_URL|ALERT_EMAIL_|CATALYST_URL_|CATALYST_ALLOW_LIVE|CATALYST_BUS_NAMESPACE|CATALYST_BIND_HOST|VENUE_KEY_ID|VENUE_SECRET_KEY)/;

interface DemoOptions {
  date: IsoDate;
  speed: number;
  mode: ScanMode;
  dataDir: string | null;
}

export function parseDemoArgs(args: string[], today: IsoDate): DemoOptions {
  const options = parseOptions("demo", args, ["date", "speed", "mode", "data-dir"]);
  const date = options.date ?? previousTradingDay(today);
  if (!isCalendarDate(date)) throw new UsageError(`--date must be a calendar date YYYY-MM-DD (got "${date}")`);
  if (!isTradingDay(date)) {
    throw new UsageError(`--date ${date} is not a trading day (weekend or exchange holiday): try ${previousTradingDay(date)} or ${nextTradingDay(date)}`);
  }
  const mode = options.mode ?? "aggressive";
  if (!(MODES as readonly string[]).includes(mode)) throw new UsageError(`--mode must be one of ${MODES.join(", ")} (got "${mode}")`);
  const speed = numberOption(options, "speed", (n) => n > 0 && n <= MAX_SPEED, `a number > 0 and at most ${MAX_SPEED}`) ?? DEFAULT_SPEED;
  return { date, speed, mode: mode as ScanMode, dataDir: options["data-dir"] ?? null };
}

async function demoConfig(options: DemoOptions, dataDir: string): Promise<Config> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !REAL_WORLD.test(name)));
  return loadConfig({
    ...env,
    CATALYST_MODE: "sim",
    CATALYST_DATA_DIR: dataDir,
    // Beside a running `catalyst serve`, on ports nobody holds.
    CATALYST_PORT_BASE: String(await freePortBase()),
    CATALYST_LOG_LEVEL: process.env.CATALYST_LOG_LEVEL ?? "error",
    VENUE_START: `${options.date}T${DAY_START}`,
    VENUE_SPEED: String(options.speed),
    // One real second per tick: at 300× that is five market minutes.
    WORKFLOW_TICK_SECONDS: "1",
    RISK_MONITOR_SECONDS: "1",
    BROKER_REQUESTS_PER_MINUTE: "100000",
  });
}

export async function demoCommand(args: string[]): Promise<number> {
  const options = parseDemoArgs(args, etDate(Date.now()));
  const temporary = options.dataDir === null;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "catalyst-demo-"));
  claimDemoDir(dataDir);
  const realSeconds = Math.round(marketDayMs(options.date) / options.speed / 1000);
  console.log(`catalyst demo: ${options.date} (${options.mode}) with the market at ${options.speed}×, about ${realSeconds} s, in ${temporary ? "a temporary folder" : dataDir}`);
  const running = await demoConfig(options, dataDir)
    .then(async (config) => ({ config, appliance: await startAppliance(config) }))
    .catch((error: unknown) => {
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
      throw error;
    });
  const { config, appliance } = running;
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  try {
    const client = ServiceClient.fromConfig(config, appliance.apiKey.key);
    const broker = brokerSignedAs(config, appliance.apiKey.key, "demo");
    const startEquity = (await broker.getAccount()).equity;
    const started = await client.call(startCycleRoute, { body: { mode: options.mode } });
    const cycle = await followCycle(client, broker, started, options, () => interrupted);
    if (cycle === null) {
      console.error("catalyst demo: interrupted; the simulated day was not finished");
      return 130;
    }
    const endEquity = (await broker.getAccount()).equity;
    const [performance, journal] = await Promise.all([
      client.call(performanceRoute, { query: { period: "day" } }),
      client.call(journalRoute, { query: { date: options.date } }),
    ]);
    const reportUrl = `http://127.0.0.1:${servicePort(config, "reporting")}/`;
    const page = await fetch(reportUrl, { headers: { "x-api-key": appliance.apiKey.key } });
    const reportFile = join(temporary ? tmpdir() : dataDir, `catalyst-demo-${options.date}.html`);
    writeFileSync(reportFile, await page.text(), { mode: 0o600 });

    const venueChange = subtractDecimal(endEquity, startEquity);
    const reported = addDecimal(performance.realizedPnl, performance.unrealizedPnl);
    const agrees = compareDecimal(reported, venueChange) === 0;
    console.log("");
    console.log(`day ${options.date}: cycle ${cycle.state}, ${cycle.scans} scans, ${cycle.entriesPlaced} entries`);
    for (const t of journal.trades) {
      const news = t.catalystNews ? `${t.catalystNews.kind}: ${t.catalystNews.headline}` : (t.catalyst ?? "no news");
      console.log(`  ${t.symbol.padEnd(6)} ${t.side.padEnd(5)} ${t.realizedPnl.padStart(10)}  ${t.closeReason ?? t.status}  [${t.pattern ?? "no pattern"}; ${news}]`);
    }
    console.log(`trades: ${performance.trades} (${performance.wins} won, ${performance.losses} lost)`);
    console.log(`P&L: ${performance.realizedPnl} realized, ${performance.unrealizedPnl} unrealized`);
    console.log(`venue account: ${startEquity} → ${endEquity} (change ${venueChange}) — ${agrees ? "equals the reported P&L" : "DIFFERS from the reported P&L"}`);
    console.log(`report page: ${reportFile} (served at ${reportUrl} while the demo ran)`);
    if (cycle.state !== "closed") {
      console.error(`catalyst demo: the cycle ended ${cycle.state}${cycle.errorMessage ? `: ${cycle.errorMessage}` : ""}`);
      return 1;
    }
    if (!agrees) {
      console.error(`catalyst demo: the reported P&L (${reported}) is not the venue account's change (${venueChange}): the books disagree; run catalyst doctor on ${dataDir} (with --data-dir to keep it)`);
      return 1;
    }
    return 0;
  } finally {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
    await appliance.stop();
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * A demo starts from nothing: a rehearsed day must never land in a real appliance's journal, and
 * an earlier demo's day would count in this one's P&L but not in the fresh venue's account.
 */
function claimDemoDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (readdirSync(dataDir).length > 0) throw new UserFixableError(`--data-dir ${dataDir} is not empty: give a new or empty folder (a demo starts from nothing)`);
}

/** Market time from the venue's start to the close. */
function marketDayMs(date: IsoDate): number {
  return session(date)!.close - etInstant(date, DAY_START);
}

/** Waits for the cycle to close (or fail), printing each change of state with the market's time; null if interrupted. */
async function followCycle(
  client: ServiceClient,
  broker: ReturnType<typeof brokerSignedAs>,
  started: CycleView,
  options: DemoOptions,
  interrupted: () => boolean,
): Promise<CycleView | null> {
  // The whole day at this speed, twice over, and two minutes for a slow machine.
  const allowedMs = (2 * marketDayMs(options.date)) / options.speed + 120_000;
  const deadline = Date.now() + allowedMs;
  let shown = "";
  for (;;) {
    if (interrupted()) return null;
    const cycle = await client.call(getCycleRoute, { params: { id: started.cycleId } });
    // Scanning and monitoring alternate all day: a line when something was done, or the day's end nears.
    const phase = ["closing", "closed", "halted", "error"].includes(cycle.state) ? cycle.state : "trading day";
    const line = `${phase}: ${cycle.scans} scans, ${cycle.entriesPlaced} entries`;
    if (line !== shown) {
      const clock = await broker.getClock();
      console.log(`  ${formatEt(Date.parse(clock.timestamp)).slice(11, 16)} ET  ${line}`);
      shown = line;
    }
    // A halted cycle still flattens and closes: only closed and error end the day.
    if (isTerminal(cycle.state as CycleState)) return cycle;
    if (Date.now() > deadline) throw new Error(`the simulated day did not finish in ${Math.round(allowedMs / 1000)} s (cycle ${cycle.state}); try a lower --speed`);
    await Bun.sleep(POLL_MS);
  }
}
