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

/** URL schemes an MQTT broker is reached by (mqtt.js). */
export const BROKER_SCHEMES = ['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'] as const;

/** Whether a --broker value is a URL of one of BROKER_SCHEMES. */
export function isBrokerUrl(value: string): boolean {
  try {
    return (BROKER_SCHEMES as readonly string[]).includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** An AbortSignal that Ctrl-C (SIGINT) or SIGTERM aborts, until `off()`. */
export function stopOnSignals(): { signal: AbortSignal; off(): void } {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: stop.signal,
    off() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
