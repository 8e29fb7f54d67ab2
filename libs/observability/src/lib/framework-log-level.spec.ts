import type { LoggerService } from '@nestjs/common';
import { FrameworkQuietLogger } from './framework-log-level';

describe(FrameworkQuietLogger.name, () => {
  function recording(): { inner: LoggerService; calls: Array<[string, unknown[]]> } {
    const calls: Array<[string, unknown[]]> = [];
    const method = (level: string) => (...args: unknown[]) => void calls.push([level, args]);
    return { inner: { log: method('info'), error: method('error'), warn: method('warn'), debug: method('debug') }, calls };
  }

  it.each(['InstanceLoader', 'RoutesResolver', 'RouterExplorer'])('writes %s lines at debug', (context) => {
    const { inner, calls } = recording();
    new FrameworkQuietLogger(inner).log('mapped', context);
    expect(calls).toEqual([['debug', ['mapped', context]]]);
  });

  it('keeps every other line at its level', () => {
    const { inner, calls } = recording();
    const logger = new FrameworkQuietLogger(inner);
    logger.log('Nest application successfully started', 'NestApplication');
    logger.warn('careful', 'RoutesResolver');
    logger.error('broken', 'stack', 'InstanceLoader');
    expect(calls.map(([level]) => level)).toEqual(['info', 'warn', 'error']);
  });
});
