import { Injectable } from '@nestjs/common';
import { Broker } from './broker.port';

/** Readiness of the broker, for `/ready`. */
@Injectable()
export class BrokerHealth {
  constructor(private readonly broker: Broker) {}

  /**
   * Resolves when the broker answers a round trip within `timeoutMs`.
   * @param timeoutMs @default 1000
   * @throws BrokerUnavailableError when disconnected, closed or too slow
   */
  ping(timeoutMs = 1000): Promise<void> {
    return this.broker.ping(timeoutMs);
  }
}
