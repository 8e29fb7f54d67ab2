/**
 * Pure parsers for the value syntaxes environment variables use. Each returns the parsed value or
 * throws {@link InvalidValue} with the "expected ..." half of the message; the loader adds the
 * variable's name and the raw value.
 */

/** Why a raw value was rejected (caught by the loader and turned into a config issue). */
export class InvalidValue extends Error {
  constructor(readonly expected: string) {
    super(expected);
    this.name = 'InvalidValue';
  }
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `500ms`, `5s`, `2m`, `1h`, `1.5s` or plain milliseconds (`250`) → positive whole milliseconds. */
export function parseDuration(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw);
  const ms = match ? Math.round(Number(match[1]) * DURATION_UNITS_MS[match[2] ?? 'ms']) : NaN;
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new InvalidValue('expected a positive duration such as 500ms, 5s, 2m, 1h or plain milliseconds');
  }
  return ms;
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `1mb`, `512kb`, `100b` or plain bytes → positive whole bytes (units are binary: 1mb = 1 MiB). */
export function parseByteSize(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(raw);
  const bytes = match ? Math.floor(Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new InvalidValue('expected a positive size such as 512kb, 1mb or plain bytes');
  }
  return bytes;
}

/** A whole number within `[min, max]`. */
export function parseInteger(raw: string, min: number, max: number, expected: string): number {
  if (!/^\d+$/.test(raw)) throw new InvalidValue(expected);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new InvalidValue(expected);
  return value;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/** `true/false`, `1/0`, `yes/no`, `on/off` (any case). */
export function parseBoolean(raw: string): boolean {
  const word = raw.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new InvalidValue('expected true or false');
}

/** Splits a comma list, trimming items; an empty item (`a,,b`) is an error rather than ignored. */
export function parseList(raw: string, itemPattern: RegExp, itemDescription: string): string[] {
  const items = raw.split(',').map((item) => item.trim());
  const bad = items.find((item) => !itemPattern.test(item));
  if (bad !== undefined) {
    throw new InvalidValue(`expected a comma-separated list of ${itemDescription}${bad === '' ? ' (empty item)' : ` ("${bad}" is not one)`}`);
  }
  return items;
}

const TAG_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;
const TAG_VALUE = /^[^\s,=]{1,128}$/;

/** `key=value,key=value` → a record; keys are unique, values have no spaces, commas or `=`. */
export function parseTags(raw: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of raw.split(',').map((p) => p.trim())) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq).trim();
    const value = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (!TAG_KEY.test(key) || !TAG_VALUE.test(value)) {
      throw new InvalidValue(`expected key=value pairs separated by commas ("${pair}" is not one)`);
    }
    if (key in tags) throw new InvalidValue(`expected each tag key once ("${key}" is repeated)`);
    tags[key] = value;
  }
  return tags;
}

/** A PostgreSQL connection URL (`postgres://` or `postgresql://`). */
export function parsePostgresUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidValue('expected a postgres:// connection URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new InvalidValue('expected a postgres:// connection URL');
  }
  return raw;
}

/** One or more NATS server URLs separated by commas (`nats://host:4222` or `host:4222`). */
export function parseNatsServers(raw: string): string[] {
  const servers = raw.split(',').map((s) => s.trim());
  for (const server of servers) {
    const withScheme = /^[a-z]+:\/\//.test(server) ? server : `nats://${server}`;
    let url: URL | undefined;
    try {
      url = new URL(withScheme);
    } catch {
      url = undefined;
    }
    if (!url || !['nats:', 'tls:', 'ws:', 'wss:'].includes(url.protocol) || url.hostname === '') {
      throw new InvalidValue('expected one or more nats://host:port URLs separated by commas');
    }
  }
  return servers;
}

/** Message fault rates for fault-injection runs (`BROKER_FAULTS`). */
export interface BrokerFaultRates {
  /** Chance that a message is lost, 0–1. */
  readonly drop: number;
  /** Chance that a message arrives twice, 0–1. */
  readonly duplicate: number;
}

const FAULT_KEYS: Record<string, keyof BrokerFaultRates> = { drop: 'drop', dup: 'duplicate', duplicate: 'duplicate' };

/** `drop:0.05,dup:0.05` (either part may be left out) → rates from 0 to 1 whose sum is at most 1. */
export function parseBrokerFaults(raw: string): BrokerFaultRates {
  const expected = 'expected drop:<0-1>,dup:<0-1> such as drop:0.05,dup:0.05';
  const rates: { drop: number; duplicate: number } = { drop: 0, duplicate: 0 };
  for (const part of raw.split(',')) {
    const [name, value, extra] = part.trim().split(':');
    const key = FAULT_KEYS[(name ?? '').toLowerCase()];
    const rate = Number(value);
    if (key === undefined || extra !== undefined || value === undefined || value === '' || !(rate >= 0 && rate <= 1)) {
      throw new InvalidValue(expected);
    }
    rates[key] = rate;
  }
  if (rates.drop + rates.duplicate > 1) throw new InvalidValue(`${expected} (drop + dup at most 1)`);
  return rates;
}
