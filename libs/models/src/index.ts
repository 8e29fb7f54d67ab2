export * from './lib/errors';
export * from './lib/workload-status';
export * from './lib/workload';
export * from './lib/worker';
export * from './lib/tier';
export * from './lib/envelope';
export * from './lib/messages';
