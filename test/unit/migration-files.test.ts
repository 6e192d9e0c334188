import { describe, expect, test } from "bun:test";
import { loadMigrations, parseMigrationFiles } from "../../src/adapters/db/migrations.ts";

describe("migration files", () => {
  test("sorted by number whatever order they come in", () => {
    const parsed = parseMigrationFiles({ "002_b.sql": "select 2", "001_a.sql": "select 1" });
    expect(parsed.map((m) => [m.version, m.name])).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
  });

  test("a badly named file is refused, naming it", () => {
    expect(() => parseMigrationFiles({ "1_a.sql": "" })).toThrow("sql/1_a.sql");
  });

  test("a gap in the numbering is refused", () => {
    expect(() => parseMigrationFiles({ "001_a.sql": "", "003_c.sql": "" })).toThrow("expected migration 002");
  });

  test("the repository's sql/ folder parses and starts at 001", () => {
    const migrations = loadMigrations();
    expect(migrations.length).toBeGreaterThanOrEqual(4);
    expect(migrations[0]!.version).toBe(1);
  });
});
