import { Logger } from '@nestjs/common';
import type { LogFields, WorkloadLogger } from '@niyanta/workload-sdk';
import { PinoLogger } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';

/** Fields every log line of one attempt carries. */
export interface AttemptLogFields {
  workload_id: string;
  workload_type: string;
  attempt: number;
  worker_id: string;
}

/**
 * A logger for one attempt: a pino child bound to the attempt's fields when the app logs through
 * nestjs-pino (its root logger exists once the logger module is configured), else Nest's logger
 * with the same fields in each line.
 */
export function createWorkloadLogger(fields: AttemptLogFields): WorkloadLogger {
  // `root` is declared non-optional but is only set once nestjs-pino's LoggerModule is configured.
  const root = (PinoLogger as unknown as { root?: Pino }).root;
  if (root !== undefined) {
    const child = root.child({ ...fields, context: 'Workload' });
    return {
      debug: (message, extra) => child.debug(extra ?? {}, message),
      info: (message, extra) => child.info(extra ?? {}, message),
      warn: (message, extra) => child.warn(extra ?? {}, message),
      error: (message, extra) => child.error(extra ?? {}, message),
    };
  }
  const nest = new Logger('Workload');
  const line = (message: string, extra?: LogFields): Record<string, unknown> => ({ msg: message, ...fields, ...extra });
  return {
    debug: (message, extra) => nest.debug(line(message, extra)),
    info: (message, extra) => nest.log(line(message, extra)),
    warn: (message, extra) => nest.warn(line(message, extra)),
    error: (message, extra) => nest.error(line(message, extra)),
  };
}
