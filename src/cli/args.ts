/** Command-line arguments: the one usage error type and the option parsers every command shares. */

/** The command line was wrong: the CLI prints the message with the usage text and exits 2. */
export class UsageError extends Error {}

export function noArgs(command: string, args: string[]): void {
  if (args.length > 0) throw new UsageError(`${command} takes no arguments (got ${args.join(" ")})`);
}

/** `--name value` / `--name=value` options of a command, each allowed at most once. */
export function parseOptions(command: string, args: string[], names: readonly string[]): Record<string, string> {
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !names.includes(match[1]!)) throw new UsageError(`unknown option for ${command}: ${arg}`);
    const value = match[2] ?? args[++i];
    if (value === undefined || value === "") throw new UsageError(`--${match[1]} needs a value`);
    options[match[1]!] = value;
  }
  return options;
}

export function numberOption(options: Record<string, string>, name: string, check: (n: number) => boolean, what: string): number | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!check(n)) throw new UsageError(`--${name} must be ${what} (got "${value}")`);
  return n;
}

/** The one FILE argument of backup and restore. */
export function fileArgument(command: string, args: string[]): string {
  if (args.length !== 1 || args[0]!.startsWith("-")) throw new UsageError(`${command} needs exactly one FILE`);
  return args[0]!;
}
