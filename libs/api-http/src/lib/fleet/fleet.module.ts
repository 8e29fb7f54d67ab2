import { Module } from '@nestjs/common';
import { FleetQueryRepository } from '@niyanta/state';
import { AuthModule } from '../auth/auth.module';
import { FleetController } from './fleet.controller';
import { FleetService } from './fleet.service';

/** Read-only views of the workers and workload types. */
@Module({
  imports: [AuthModule],
  controllers: [FleetController],
  providers: [FleetQueryRepository, FleetService],
})
export class FleetModule {}
