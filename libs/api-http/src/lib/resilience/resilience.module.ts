import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DatabaseCircuitBreaker } from './database-circuit-breaker.service';
import { DatabaseCircuitGuard } from './database-circuit.guard';

/** The database circuit breaker and its global guard (runs before the controllers' auth guards, so an open circuit answers first). */
@Module({
  providers: [DatabaseCircuitBreaker, { provide: APP_GUARD, useClass: DatabaseCircuitGuard }],
  // The exception filter feeds it every 5xx (see configureHttpApp).
  exports: [DatabaseCircuitBreaker],
})
export class ResilienceModule {}
