/** scanner (5001): ranks the universe into direction-aware candidates; stores each scan and publishes it. */
import { candidateHistoryRoute, latestScanRoute, runScanRoute } from "../../contracts/scanner.ts";
import { SCAN_MODES } from "../../domain/scanner/modes.ts";
import { brokerFailure, serviceBroker } from "../../runtime/broker.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import { ApiError } from "../../runtime/errors.ts";
import { createServiceApp, mount } from "../../runtime/http.ts";
import { serviceEvidence } from "./evidence.ts";
import { ScannerMarketView } from "./market-view.ts";
import { runScan } from "./run-scan.ts";
import { candidateHistory, cycleIsLive, latestScan, saveScan } from "./store.ts";

export function createScannerApp(ctx: ServiceContext) {
  const broker = serviceBroker(ctx);
  const market = new ScannerMarketView(broker);
  const evidence = serviceEvidence(ctx.client);
  const app = createServiceApp(ctx);

  mount(app, runScanRoute, async ({ body }) => {
    const cycleId = body.cycleId ?? null;
    if (cycleId !== null) {
      const live = await cycleIsLive(ctx.sql, cycleId);
      if (live === null) throw new ApiError(404, "cycle_not_found", `no trading cycle ${cycleId}; start one or scan without cycleId`, "cycleId");
      if (!live) throw new ApiError(409, "cycle_ended", `cycle ${cycleId} has ended; scans attach only to a live cycle`, "cycleId");
    }
    const mode = body.mode ?? "normal";
    const { report, stored } = await runScan({ mode, limit: body.limit, cycleId }, { broker, market, evidence, settings: ctx.config.scanner }).catch(
      (error: unknown) => {
        throw brokerFailure(error);
      },
    );
    await saveScan(ctx.sql, report, stored, { ...ctx.config.scanner, modeRules: SCAN_MODES[mode], limit: body.limit ?? null });
    await ctx.bus.publish("scan_complete", {
      scanId: report.scanId,
      cycleId: report.cycleId,
      asOf: report.asOf,
      scoringVersion: report.scoringVersion,
      candidates: report.candidates.map(({ rank, symbol, score, direction }) => ({ rank, symbol, score, direction })),
    });
    ctx.log.info("scan complete", { scanId: report.scanId, universe: report.universeSize, candidates: report.candidates.length, ms: report.durationMs });
    return report;
  });

  mount(app, latestScanRoute, async () => {
    const report = await latestScan(ctx.sql);
    if (!report) throw new ApiError(404, "no_scan_yet", "no scan has run yet: POST /api/v1/scan to run one");
    return report;
  });

  mount(app, candidateHistoryRoute, async ({ params, query }) => {
    const symbol = params.symbol.toUpperCase();
    const appearances = await candidateHistory(ctx.sql, symbol, query.limit ?? 20);
    if (appearances.length === 0) throw new ApiError(404, "never_a_candidate", `${symbol} has not been a candidate in any stored scan`, "symbol");
    return { symbol, appearances };
  });

  return app;
}
