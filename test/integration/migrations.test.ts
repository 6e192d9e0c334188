/** The schema on both database backends: applies, re-runs as a no-op, views answer, edits refused. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Sql } from "postgres";
import { connectDatabase } from "../../src/adapters/db/client.ts";
import { openEmbeddedDatabase } from "../../src/adapters/db/embedded.ts";
import { loadMigrations, migrate } from "../../src/adapters/db/migrations.ts";
import { freshPostgresDatabase, tempDir } from "../support/env.ts";

const VIEWS = [
  "v_trade_pipeline_status",
  "v_claude_activity_summary",
  "v_recurring_issues",
  "v_recent_escalations",
  "v_failed_actions",
  "v_open_positions",
  "v_daily_pnl",
];

const CORE_TABLES = [
  "sectors",
  "securities",
  "trading_cycles",
  "scans",
  "scan_results",
  "news_articles",
  "orders",
  "fills",
  "positions",
  "risk_parameters",
  "risk_events",
  "claude_activity_log",
  "doctor_claude_rules",
];

async function openBackend(name: string): Promise<{ url: string; close(): Promise<void> }> {
  if (name === "embedded") {
    const dir = tempDir();
    const db = await openEmbeddedDatabase({ dataDir: dir.path });
    return { url: db.url, close: async () => (await db.close(), dir.remove()) };
  }
  const db = await freshPostgresDatabase();
  return { url: db.url, close: db.drop };
}

for (const backend of ["embedded", "postgresql"]) {
  describe(`migrations on ${backend}`, () => {
    let database: { url: string; close(): Promise<void> };
    let sql: Sql;
    const migrations = loadMigrations();

    beforeAll(async () => {
      database = await openBackend(backend);
      sql = connectDatabase(database.url, { max: 2, application: "test" });
    }, 60_000);

    afterAll(async () => {
      await sql?.end();
      await database?.close();
    });

    test("two migrators at once: every migration applied exactly once", async () => {
      const other = connectDatabase(database.url, { max: 1, application: "test-2" });
      const [a, b] = await Promise.all([migrate(sql, migrations), migrate(other, migrations)]);
      await other.end();
      expect([...a.applied, ...b.applied].sort()).toEqual(migrations.map((m) => `${String(m.version).padStart(3, "0")}_${m.name}`));
      const rows = await sql`select version from schema_migrations order by version`;
      expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    });

    test("a second run is a no-op", async () => {
      expect(await migrate(sql, migrations)).toEqual({ applied: [], alreadyApplied: migrations.length });
    });

    test("every core table exists", async () => {
      const rows = await sql<{ table_name: string }[]>`
        select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`;
      const names = rows.map((r) => r.table_name);
      for (const table of CORE_TABLES) expect(names).toContain(table);
    });

    test("the seven views answer", async () => {
      for (const view of VIEWS) {
        const rows = await sql.unsafe(`select * from ${view} limit 5`);
        expect(Array.isArray(rows)).toBe(true);
      }
    });

    test("doctor rules ship with their default rows", async () => {
      const [row] = await sql<{ count: string }[]>`select count(*) from doctor_claude_rules where is_active`;
      expect(Number(row!.count)).toBeGreaterThanOrEqual(10);
    });

    test("orders are not positions: the schema enforces the order/fill rules of SPEC §3", async () => {
      const rejects = (query: Promise<unknown>) => expect(query).rejects.toThrow();
      const [security] = await sql`insert into securities (symbol) values ('SPEC') returning security_id`;
      const id = security!.security_id;
      const [order] = await sql`
        insert into orders (client_order_id, security_id, role, side, order_type, qty)
        values ('cat-spec-1', ${id}, 'entry', 'buy', 'market', 10) returning order_id, status`;
      expect(order!.status).toBe("created");
      await rejects(sql`insert into securities (symbol) values ('spec')`);
      await rejects(sql`insert into orders (client_order_id, security_id, role, side, order_type, qty)
        values ('cat-spec-1', ${id}, 'entry', 'buy', 'market', 10)`);
      await rejects(sql`update orders set status = 'canceled' where order_id = ${order!.order_id}`);
      await rejects(sql`insert into orders (client_order_id, security_id, role, side, order_type, qty)
        values ('cat-spec-2', ${id}, 'entry', 'buy', 'limit', 10)`);
      await sql`update orders set status = 'submitted', broker_order_id = 'b-1', submitted_at = now() where order_id = ${order!.order_id}`;
      const fill = () => sql`
        insert into fills (order_id, side, broker_fill_id, qty, price, filled_at)
        values (${order!.order_id}, 'buy', 'exec-1', 4, 101.25, now())
        on conflict (broker_fill_id) do nothing returning fill_id`;
      expect((await fill()).length).toBe(1);
      expect((await fill()).length).toBe(0); // a replayed fill event changes nothing
      await rejects(sql`insert into fills (order_id, side, broker_fill_id, qty, price, filled_at)
        values (${order!.order_id}, 'buy', 'exec-2', 7, 101.25, now())`); // more than the order's qty
      await rejects(sql`insert into fills (order_id, side, broker_fill_id, qty, price, filled_at)
        values (${order!.order_id}, 'sell', 'exec-3', 1, 101.25, now())`); // not the order's side
      const [price] = await sql`select price from fills where broker_fill_id = 'exec-1'`;
      expect(price!.price).toBe("101.2500"); // NUMERIC arrives as a string, never a float
    });

    test("an applied migration that was edited is refused, and nothing is written", async () => {
      const edited = migrations.map((m, i) => (i === 0 ? { ...m, sql: `${m.sql}\n-- edited` } : m));
      await expect(migrate(sql, edited)).rejects.toThrow("was changed after it was applied");
    });

    test("a failing migration rolls back completely", async () => {
      const broken = [
        ...migrations,
        { version: migrations.length + 1, name: "broken", sql: "create table half_done (id int); select * from no_such_table;" },
      ];
      await expect(migrate(sql, broken)).rejects.toThrow();
      const [table] = await sql`select to_regclass('half_done') is not null as exists`;
      expect(table!.exists).toBe(false);
      const [latest] = await sql`select max(version) as max from schema_migrations`;
      expect(latest!.max).toBe(migrations.length);
    });
  });
}
