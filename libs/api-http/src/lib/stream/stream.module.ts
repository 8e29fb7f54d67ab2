import { Module } from '@nestjs/common';
import { WorkloadStreamRepository } from '@niyanta/state';
import { AuthModule } from '../auth/auth.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { CustomerEventHub } from './customer-event-hub.service';
import { StreamController } from './stream.controller';
import { StreamGateway } from './stream.gateway';
import { StreamMetrics } from './stream-metrics';

/** The live stream `GET /v1/stream` (a WebSocket on the API's HTTP server). */
@Module({
  imports: [AuthModule, TenancyModule],
  controllers: [StreamController],
  providers: [WorkloadStreamRepository, CustomerEventHub, StreamMetrics, StreamGateway],
})
export class StreamModule {}
