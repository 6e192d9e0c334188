import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../../src/config.ts";

const keys = { ALPACA_KEY_ID: "AKTEST", ALPACA_SECRET_KEY: "secret" };
const apiKey = { CATALYST_API_KEY: "0123456789abcdef0123" };

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("mode selection", () => {
  test("nothing configured → sim, embedded database, in-process bus, loopback ports from 5000", () => {
    const config = loadConfig({ HOME: "/home/trader" });
    expect(config.mode).toBe("sim");
    expect(config.databaseUrl).toBeNull();
    expect(config.redisUrl).toBeNull();
    expect(config.apiKey).toBeNull();
    expect(config.dataDir).toBe("/home/trader/.catalyst");
    expect(config.serviceUrls.orchestration).toBe("http://127.0.0.1:5000");
    expect(config.serviceUrls.reporting).toBe("http://127.0.0.1:5009");
    expect(config.bindHost).toBe("127.0.0.1");
  });

  test("Alpaca keys without a mode → paper, never live", () => {
    expect(loadConfig({ ...keys, ...apiKey }).mode).toBe("paper");
  });

  test("live needs CATALYST_ALLOW_LIVE=yes", () => {
    expect(configError({ ...keys, ...apiKey, CATALYST_MODE: "live" }).variable).toBe("CATALYST_ALLOW_LIVE");
    expect(configError({ ...keys, ...apiKey, CATALYST_MODE: "live", CATALYST_ALLOW_LIVE: "true" }).variable).toBe("CATALYST_ALLOW_LIVE");
    expect(loadConfig({ ...keys, ...apiKey, CATALYST_MODE: "live", CATALYST_ALLOW_LIVE: "yes" }).mode).toBe("live");
  });

  test("a mistyped mode is an error naming the variable, not a fall-through", () => {
    const error = configError({ ...keys, ...apiKey, CATALYST_MODE: "Live" });
    expect(error.variable).toBe("CATALYST_MODE");
    expect(error.message).toContain("sim, paper, live");
  });

  test("paper or live without Alpaca keys says which keys to set", () => {
    const error = configError({ ...apiKey, CATALYST_MODE: "paper" });
    expect(error.variable).toBe("CATALYST_MODE");
    expect(error.message).toContain("ALPACA_KEY_ID");
  });

  test("half a key pair names the missing half", () => {
    expect(configError({ ALPACA_KEY_ID: "AK" }).variable).toBe("ALPACA_SECRET_KEY");
    expect(configError({ ALPACA_SECRET_KEY: "s" }).variable).toBe("ALPACA_KEY_ID");
  });

  test("outside sim the API key is required and must be long enough", () => {
    expect(configError({ ...keys }).variable).toBe("CATALYST_API_KEY");
    expect(configError({ ...keys, CATALYST_API_KEY: "short" }).variable).toBe("CATALYST_API_KEY");
  });
});

describe("validation names the variable", () => {
  test.each([
    ["DATABASE_URL", "mysql://x"],
    ["DATABASE_URL", "not a url"],
    ["REDIS_URL", "http://localhost:6379"],
    ["CATALYST_PORT_BASE", "80"],
    ["CATALYST_PORT_BASE", "65530"],
    ["CATALYST_PORT_BASE", "50a0"],
    ["CATALYST_URL_SCANNER", "ftp://host"],
    ["CATALYST_LOG_LEVEL", "verbose"],
    ["CATALYST_BUS_NAMESPACE", "Has Spaces"],
    ["SMTP_URL", "mail.example.com"],
    ["RISK_EXIT_PARTICIPATION_PCT", "0"],
    ["RISK_EXIT_PARTICIPATION_PCT", "101"],
    ["RISK_EXIT_PARTICIPATION_PCT", "ten"],
    ["RISK_EXIT_PARTICIPATION_PCT", "-5"],
    ["RISK_MAX_QUOTE_AGE_SECONDS", "0"],
    ["RISK_MAX_QUOTE_AGE_SECONDS", "a minute"],
    ["RISK_UNPROTECTED_LOSS_PCT", "0"],
    ["RISK_UNPROTECTED_LOSS_PCT", "150"],
  ])("%s=%s is refused", (variable, value) => {
    expect(configError({ [variable]: value }).variable).toBe(variable);
  });

  test.each([
    [{ SMTP_URL: "smtp://mail.example.com:587" }, "ALERT_EMAIL_TO"],
    [{ SMTP_URL: "smtp://mail.example.com:587", ALERT_EMAIL_TO: "ops@example.com, not-an-address" }, "ALERT_EMAIL_TO"],
    [{ SMTP_URL: "smtp://mail.example.com:587", ALERT_EMAIL_TO: "ops@example.com", ALERT_EMAIL_FROM: "a@x.com,b@x.com" }, "ALERT_EMAIL_FROM"],
    [{ ALERT_EMAIL_TO: "ops@example.com" }, "ALERT_EMAIL_TO"],
    [{ ALERT_EMAIL_FROM: "catalyst@example.com" }, "ALERT_EMAIL_FROM"],
  ])("mail settings %j are refused naming %s", (env, variable) => {
    expect(configError(env).variable).toBe(variable);
  });

  test.each([
    [{ ALERT_WEBHOOK_URL: "https://hooks.example.com/x" }, "ALERT_WEBHOOK_SECRET"],
    [{ ALERT_WEBHOOK_SECRET: "0123456789abcdef" }, "ALERT_WEBHOOK_SECRET"],
    [{ ALERT_WEBHOOK_URL: "https://hooks.example.com/x", ALERT_WEBHOOK_SECRET: "short" }, "ALERT_WEBHOOK_SECRET"],
    [{ ALERT_WEBHOOK_URL: "ftp://hooks.example.com/x", ALERT_WEBHOOK_SECRET: "0123456789abcdef" }, "ALERT_WEBHOOK_URL"],
    [{ ALERT_BATCH_SECONDS: "0" }, "ALERT_BATCH_SECONDS"],
    [{ ALERT_MAX_PER_MINUTE: "2.5" }, "ALERT_MAX_PER_MINUTE"],
    [{ ALERT_RETRY_SECONDS: "0" }, "ALERT_RETRY_SECONDS"],
  ])("alert settings %j are refused naming %s", (env, variable) => {
    expect(configError(env).variable).toBe(variable);
  });

  test("alerts: no webhook, 60 s batches, 15 min dedupe and a 1 s first retry by default; a webhook needs its secret", () => {
    expect(loadConfig({}).alerts).toEqual({ webhookUrl: null, webhookSecret: null, batchSeconds: 60, dedupeMinutes: 15, maxPerMinute: 10, retrySeconds: 1 });
    const env = { ALERT_WEBHOOK_URL: "https://hooks.example.com/x", ALERT_WEBHOOK_SECRET: "0123456789abcdef", ALERT_BATCH_SECONDS: "5", ALERT_RETRY_SECONDS: "0.1" };
    expect(loadConfig(env).alerts).toEqual({ webhookUrl: "https://hooks.example.com/x", webhookSecret: "0123456789abcdef", batchSeconds: 5, dedupeMinutes: 15, maxPerMinute: 10, retrySeconds: 0.1 });
  });

  test("exit participation: 10 % by default (the venue's fill model), a decimal up to 100 when set", () => {
    expect(loadConfig({}).risk.exitParticipationPct).toBe("10");
    expect(loadConfig({ RISK_EXIT_PARTICIPATION_PCT: "2.5" }).risk.exitParticipationPct).toBe("2.5");
    expect(loadConfig({ RISK_EXIT_PARTICIPATION_PCT: "100" }).risk.exitParticipationPct).toBe("100");
    expect(configError({ RISK_EXIT_PARTICIPATION_PCT: "101" }).message).toContain("RISK_EXIT_PARTICIPATION_PCT");
  });

  test("quote age 60 s and unprotected loss 100 % by default; set within bounds", () => {
    expect(loadConfig({}).risk).toMatchObject({ maxQuoteAgeSeconds: 60, unprotectedLossPct: "100" });
    expect(loadConfig({ RISK_MAX_QUOTE_AGE_SECONDS: "15", RISK_UNPROTECTED_LOSS_PCT: "25" }).risk).toMatchObject({ maxQuoteAgeSeconds: 15, unprotectedLossPct: "25" });
  });

  test("the SMTP password never appears in a mail setting's error", () => {
    const error = configError({ SMTP_URL: "smtp://ops:hunter2secret@mail.example.com:587" });
    expect(error.variable).toBe("ALERT_EMAIL_TO");
    expect(error.message).not.toContain("hunter2secret");
  });

  test("mail is off without SMTP_URL; with it the sender defaults to the SMTP login, else catalyst@host", () => {
    expect(loadConfig({}).smtpUrl).toBeNull();
    const login = loadConfig({ SMTP_URL: "smtps://ops%40example.com:pw@mail.example.com", ALERT_EMAIL_TO: "a@example.com ,b@example.com" });
    expect(login.alertEmailTo).toBe("a@example.com, b@example.com");
    expect(login.alertEmailFrom).toBe("ops@example.com");
    expect(loadConfig({ SMTP_URL: "smtp://mail.example.com", ALERT_EMAIL_TO: "a@example.com" }).alertEmailFrom).toBe("catalyst@mail.example.com");
    expect(loadConfig({ SMTP_URL: "smtp://mail.example.com", ALERT_EMAIL_TO: "a@example.com", ALERT_EMAIL_FROM: "desk@example.com" }).alertEmailFrom).toBe("desk@example.com");
  });

  test("service URLs follow the port base and can be pointed elsewhere", () => {
    const config = loadConfig({ CATALYST_PORT_BASE: "6000", CATALYST_URL_SCANNER: "http://10.0.0.2:5001" });
    expect(config.serviceUrls.technical).toBe("http://127.0.0.1:6003");
    expect(config.serviceUrls.scanner).toBe("http://10.0.0.2:5001");
  });
});
