/** `catalyst migrate`, `backup FILE` and `restore FILE`. */
import { loadConfig } from "../config.ts";
import { backupDatabase, restoreDatabaseFrom } from "../runtime/backup.ts";
import { openApplianceDatabase } from "../runtime/database.ts";
import { fileArgument, noArgs } from "./args.ts";

export async function migrateCommand(args: string[]): Promise<number> {
  noArgs("migrate", args);
  const database = await openApplianceDatabase(loadConfig());
  const { applied, alreadyApplied } = database.migrations;
  await database.close();
  console.log(applied.length > 0 ? `applied ${applied.join(", ")} (${alreadyApplied} already applied)` : `up to date (${alreadyApplied} migrations applied)`);
  return 0;
}

export async function backupCommand(args: string[]): Promise<number> {
  const file = fileArgument("backup", args);
  const { tables, rows } = await backupDatabase(loadConfig(), file);
  console.log(`backed up ${rows} rows of ${tables} tables to ${file}`);
  return 0;
}

export async function restoreCommand(args: string[]): Promise<number> {
  const file = fileArgument("restore", args);
  const { tables, rows } = await restoreDatabaseFrom(loadConfig(), file);
  console.log(`restored ${rows} rows of ${tables} tables from ${file}`);
  return 0;
}
