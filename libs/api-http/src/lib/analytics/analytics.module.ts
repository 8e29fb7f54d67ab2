import { Module } from '@nestjs/common';
import { AnalyticsQueryRepository } from '@niyanta/state';
import { AuthModule } from '../auth/auth.module';
import { AdminAnalyticsController } from './admin-analytics.controller';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsService } from './analytics.service';

/** Usage analytics: a customer's own (`/v1/analytics`) and across customers (`/v1/admin/analytics`). */
@Module({
  imports: [AuthModule],
  controllers: [AnalyticsController, AdminAnalyticsController],
  providers: [AnalyticsQueryRepository, AnalyticsService],
})
export class AnalyticsModule {}
