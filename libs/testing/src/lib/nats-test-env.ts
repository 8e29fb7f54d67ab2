import { randomBytes } from 'node:crypto';

/** The NATS server integration tests use when `NATS_URL` is not set. */
export const DEFAULT_TEST_NATS_URL = 'nats://127.0.0.1:4222';

/** URL of the NATS server integration tests use: `NATS_URL` or {@link DEFAULT_TEST_NATS_URL}. */
export function testNatsUrl(): string {
  return process.env['NATS_URL'] ?? DEFAULT_TEST_NATS_URL;
}

/**
 * A broker subject prefix no other suite or run uses (`t_<label>_<pid>_<random>`), so suites
 * sharing one NATS server never see each other's messages or streams.
 * @param label letters, digits and `_`; names the suite in the prefix.
 */
export function uniqueBrokerPrefix(label: string): string {
  const safe = label.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 20) || 'x';
  return `t_${safe}_${process.pid}_${randomBytes(4).toString('hex')}`;
}
