import { Module } from '@nestjs/common';
import { ApiKeyRepository, AuditRepository } from '@niyanta/state';
import { TenancyModule } from '../tenancy/tenancy.module';
import { ApiKeyAuthService } from './api-key-auth.service';
import { AdminKeyGuard, ApiKeyGuard } from './api-key.guard';

/** API key authentication and the two guards; the customer guard also applies the customer's rate limit. */
@Module({
  imports: [TenancyModule],
  providers: [ApiKeyRepository, AuditRepository, ApiKeyAuthService, ApiKeyGuard, AdminKeyGuard],
  // Nest builds a guard named in `@UseGuards` inside the controller's module, so a module that uses
  // the guards needs their collaborators too: tenancy (the rate limit) is passed on with them.
  exports: [ApiKeyAuthService, ApiKeyGuard, AdminKeyGuard, TenancyModule],
})
export class AuthModule {}
