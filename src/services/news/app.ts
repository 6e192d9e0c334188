/** news (5008): ingest (scheduled and on demand), stored articles with sentiment, recent catalysts. */
import { loadSentimentModel } from "../../adapters/sentiment/load.ts";
import {
  catalystsRoute,
  DEFAULT_CATALYST_HOURS,
  DEFAULT_CATALYST_LIMIT,
  DEFAULT_INGEST_LIMIT,
  DEFAULT_NEWS_LIMIT,
  ingestNewsRoute,
  listNewsRoute,
} from "../../contracts/news.ts";
import { catalystDirection } from "../../domain/news/direction.ts";
import { marketNow, serviceBroker } from "../../runtime/broker.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import { createServiceApp, mount } from "../../runtime/http.ts";
import { repeatEvery, type Repeating } from "../../runtime/repeat.ts";
import { via } from "../../runtime/errors.ts";
import { brokerUnavailable, databaseUnavailable } from "./failures.ts";
import { ingestNews, type IngestRequest } from "./ingest.ts";
import { listArticles, listCatalysts } from "./store.ts";

const HOUR_MS = 60 * 60 * 1000;

export function createNewsApp(ctx: ServiceContext) {
  const broker = serviceBroker(ctx);
  // Loaded in the background: FinBERT takes seconds; the first request that needs it waits.
  const modelReady = loadSentimentModel(ctx.config.news.modelsDir, ctx.log);

  // One ingest at a time: the schedule and POSTs queue behind each other instead of racing.
  let queue: Promise<unknown> = Promise.resolve();
  const ingest = (request: IngestRequest) => {
    const run = queue.then(async () =>
      ingestNews({ sql: ctx.sql, bus: ctx.bus, broker, model: await modelReady, log: ctx.log, catalystThreshold: ctx.config.news.catalystThreshold }, request),
    );
    queue = run.catch(() => undefined);
    return run;
  };

  let schedule: Repeating | null = null;
  const app = createServiceApp(ctx)
    .onStart(() => {
      const ingestOnSchedule = async () => {
        try {
          const result = await ingest({ limit: DEFAULT_INGEST_LIMIT });
          ctx.log.info("scheduled news ingest", { ...result });
        } catch (error) {
          ctx.log.warn("scheduled news ingest failed", { error: (error as Error).message });
        }
      };
      schedule = repeatEvery(ctx.config.news.ingestEveryMinutes * 60, ingestOnSchedule, { firstAfterPeriod: true });
    })
    .onStop(() => {
      schedule?.stop();
      schedule = null;
    });

  mount(app, ingestNewsRoute, async ({ body }) => {
    const result = await ingest({ symbols: body.symbols, since: body.since, limit: body.limit ?? DEFAULT_INGEST_LIMIT });
    ctx.log.info("news ingest", { ...result });
    return result;
  });

  mount(app, listNewsRoute, async ({ query }) => {
    const articles = await via(
      () => listArticles(ctx.sql, { symbol: query.symbol?.toUpperCase() ?? null, since: query.since ?? null, limit: query.limit ?? DEFAULT_NEWS_LIMIT }),
      databaseUnavailable,
    );
    return { sentimentModel: (await modelReady).name, untrustedContent: true as const, articles };
  });

  mount(app, catalystsRoute, async ({ query }) => {
    const nowMs = await via(() => marketNow(broker), brokerUnavailable);
    const rows = await via(
      () =>
        listCatalysts(ctx.sql, {
          fromMs: nowMs - (query.hours ?? DEFAULT_CATALYST_HOURS) * HOUR_MS,
          toMs: nowMs,
          minStrength: query.minStrength ?? 0,
          symbol: query.symbol?.toUpperCase() ?? null,
          limit: query.limit ?? DEFAULT_CATALYST_LIMIT,
        }),
      databaseUnavailable,
    );
    const catalysts = rows.map(({ polarity, ...row }) => ({ ...row, ...catalystDirection(row.strength, polarity, row.sentiment?.score ?? 0) }));
    return { sentimentModel: (await modelReady).name, untrustedContent: true as const, asOf: new Date(nowMs).toISOString(), catalysts };
  });

  return app;
}
