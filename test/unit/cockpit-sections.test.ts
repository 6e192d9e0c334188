/** The cockpit's sections from given sources: untrusted text escaped, a failing source reported in its own section only, the page's script under its nonce. */
import { describe, expect, test } from "bun:test";
import type { RiskStatus } from "../../src/contracts/risk.ts";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { dayPlan } from "../../src/domain/workflow/day-plan.ts";
import { cockpitPage } from "../../src/services/reporting/cockpit-page.ts";
import { renderSection, SECTION_IDS, type SectionId } from "../../src/services/reporting/cockpit-sections.ts";
import type { CockpitSources } from "../../src/services/reporting/cockpit-sources.ts";
import type { SafeHtml } from "../../src/services/reporting/html.ts";

const EVIL = `<img src=x onerror='alert(1)'>`;
const NOW = etInstant("2026-03-10", "11:00");
const limits = { maxOpenPositions: 5, maxPositionNotional: "10000", maxPositionPctEquity: "20", maxDailyLoss: "2000", dailyLossWarnPct: "75", maxSectorExposurePct: "40", minRewardRisk: "1.5", maxTradesPerDay: 20, riskPerTradePct: "1" };
const risk: RiskStatus = {
  mode: "sim",
  asOf: new Date(NOW).toISOString(),
  marketOpen: true,
  limits,
  hardBounds: limits,
  usage: { openPositions: 2, workingEntries: 0, entriesToday: 3, exposureUsd: "9000.00", atRiskUsd: "500.00", unprotectedPositions: 0, equity: "100000", bySector: [{ sector: "XLK", exposureUsd: "9000.00", capUsd: "40000.00" }] },
  dailyPnl: { tradingDate: "2026-03-10", realized: "-1000.00", accountChange: "-1500.00", unrealized: "-500.00", lossUsedPct: 75, level: "warning" },
  halted: null,
  killSwitch: { active: true, reason: EVIL, setAt: new Date(NOW).toISOString(), setBy: "cockpit" },
  entriesAllowed: false,
};

function sources(overrides: Partial<CockpitSources> = {}): CockpitSources {
  const down = () => Promise.reject(new Error("workflow: http://127.0.0.1:5006 did not answer"));
  return {
    clock: async () => ({ timestamp: new Date(NOW).toISOString(), isOpen: true, nextOpen: new Date(NOW + 86_400_000).toISOString(), nextClose: new Date(etInstant("2026-03-10", "16:00")).toISOString() }),
    cycle: down,
    risk: async () => risk,
    positions: async () => [],
    orders: async () => [],
    doctorIssues: async () => [{ issueKey: "k", type: EVIL, severity: "critical", entity: "order:1", check: "orders", firstSeenAt: new Date(NOW).toISOString(), lastSeenAt: new Date(NOW).toISOString(), diff: null, emailStatus: "sent" }],
    equity: async () => [],
    journal: async () => [],
    ...overrides,
  };
}

describe("cockpit sections", () => {
  test("the kill switch's reason and a doctor issue's text are escaped", async () => {
    const kill = (await renderSection("kill", sources())).text;
    expect(kill).toContain('data-kill="on"');
    expect(kill).toContain("&lt;img src=x onerror=&#39;alert(1)&#39;&gt;");
    expect(kill).not.toContain(EVIL);
    expect((await renderSection("doctor", sources())).text).not.toContain(EVIL);
  });

  test("now: the market, the cycle and its next step at its ET time", async () => {
    const cycle = {
      mode: "sim" as const,
      cycleId: "c1",
      tradingDate: "2026-03-10",
      state: "monitoring",
      riskMode: "normal" as const,
      settings: { scanEveryMinutes: 15, maxEntries: 4, minScore: 0.6, sizeMultiplier: 1, longOnly: false },
      plan: dayPlan("2026-03-10")!,
      startedAt: new Date(NOW).toISOString(),
      endedAt: null,
      lastScanAt: new Date(etInstant("2026-03-10", "10:55")).toISOString(),
      lastScanId: null,
      scans: 7,
      entriesPlaced: 1,
      errorMessage: null,
      haltReason: null,
      endReason: null,
      lastActivityAt: new Date(NOW).toISOString(),
    };
    const text = (await renderSection("now", sources({ cycle: async () => cycle }))).text;
    expect(text).toContain("<b data-clock>11:00 ET</b>");
    expect(text).toContain("closes 16:00 ET");
    expect(text).toContain("monitoring</b> · normal · 7 scan(s), 1 entry");
    expect(text).toContain("scan, then enter from it at <b>11:10 ET</b>");
  });

  test("gauges: the daily loss used, positions against the limit, each sector against its cap", async () => {
    const text = (await renderSection("risk", sources())).text;
    expect(text).toContain("75% of $2,000.00");
    expect(text).toContain('aria-valuenow="75"');
    expect(text).toContain("2 of 5");
    expect(text).toContain("$9,000.00 of $40,000.00");
  });

  test("a source that fails shows in its own section, naming what failed; the others render", async () => {
    const now = (await renderSection("now", sources())).text;
    expect(now).toContain("Could not load this: workflow: http://127.0.0.1:5006 did not answer");
    expect(now).toContain("<h2>Now</h2>");
    expect((await renderSection("positions", sources())).text).toContain("No open positions.");
  });

  test("the page carries every section and runs only its own script, under the nonce", async () => {
    const all = Object.fromEntries(await Promise.all(SECTION_IDS.map(async (id) => [id, await renderSection(id, sources())]))) as Record<SectionId, SafeHtml>;
    const page = cockpitPage({ mode: "live", sections: all, nonce: "abc123" });
    for (const id of SECTION_IDS) expect(page).toContain(`id="s-${id}"`);
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).toContain('<script nonce="abc123">');
    expect(page).toContain('class="mode mode-live"');
  });
});
