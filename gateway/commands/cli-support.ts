// Shared pieces of the subcommands: argument parsing with clear errors.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Subcommand {
  name: string;
  summary: string;
  help: string;
  run(argv: string[]): Promise<number>;
}

/** A mistake of the person at the keyboard: printed without a stack trace. */
export class CliError extends Error {}

export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

export function intOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`--${name} must be a whole number from ${min} to ${max}, not '${value}'`);
  return n;
}
