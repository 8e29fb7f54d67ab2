import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { AdminKeyGuard } from '../auth/api-key.guard';
import { ApiErrors } from '../errors/api-errors.decorator';
import { CurrentRequestMeta, type RequestMeta } from '../common/request-meta.decorator';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { AdminService } from './admin.service';
import { ApiKeyListDto, IssueApiKeyDto, IssuedApiKeyDto } from './dto/api-key.dto';
import { CreateCustomerDto, CustomerDto, CustomerListDto, ListCustomersQueryDto, UpdateCustomerDto } from './dto/customer.dto';

const CUSTOMER_ID = { name: 'id', format: 'uuid', description: 'Customer id.', example: '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77' };

/** Operator API (NIYANTA_ADMIN_API_KEY): customers (tier, suspension) and their API keys. */
@ApiTags('admin')
@ApiBearerAuth('admin_key')
@ApiErrors(401, 503)
@UseGuards(AdminKeyGuard)
@Controller('v1/admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Post('customers')
  @ApiOperation({ operationId: 'adminCreateCustomer', summary: 'Create a customer', description: 'Creates an active customer on the given tier.' })
  @ApiCreatedResponse({ description: 'Created.', type: CustomerDto })
  @ApiErrors(400)
  adminCreateCustomer(@Body() body: CreateCustomerDto, @CurrentRequestMeta() meta: RequestMeta): Promise<CustomerDto> {
    return this.admin.createCustomer(body, meta);
  }

  @Get('customers')
  @ApiOperation({ operationId: 'adminListCustomers', summary: 'List customers', description: 'Customers, oldest first; page with `limit` and the opaque `next_cursor`.' })
  @ApiOkResponse({ description: 'One page of customers.', type: CustomerListDto })
  @ApiErrors(400)
  adminListCustomers(@Query() query: ListCustomersQueryDto): Promise<CustomerListDto> {
    return this.admin.listCustomers(query);
  }

  @Get('customers/:id')
  @ApiOperation({ operationId: 'adminGetCustomer', summary: 'Get a customer', description: 'One customer with its tier and status.' })
  @ApiParam(CUSTOMER_ID)
  @ApiOkResponse({ description: 'The customer.', type: CustomerDto })
  @ApiErrors(400, 404)
  adminGetCustomer(@Param('id', UuidParamPipe) id: string): Promise<CustomerDto> {
    return this.admin.getCustomer(id);
  }

  @Patch('customers/:id')
  @ApiOperation({
    operationId: 'adminUpdateCustomer',
    summary: 'Change a customer\'s tier',
    description: 'Moves the customer to another defined tier (audited as `customer.tier_changed`). Rate limits follow within the auth cache TTL, the scheduler at its next sweep.',
  })
  @ApiParam(CUSTOMER_ID)
  @ApiOkResponse({ description: 'The customer after the change.', type: CustomerDto })
  @ApiErrors(400, 404)
  adminUpdateCustomer(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: UpdateCustomerDto,
    @CurrentRequestMeta() meta: RequestMeta,
  ): Promise<CustomerDto> {
    return this.admin.changeTier(id, body, meta);
  }

  @Post('customers/:id/suspend')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'adminSuspendCustomer',
    summary: 'Suspend a customer',
    description: 'Its keys are answered 403 and its queued workloads wait unscheduled (running ones finish). Idempotent; audited as `customer.suspended`.',
  })
  @ApiParam(CUSTOMER_ID)
  @ApiOkResponse({ description: 'The suspended customer.', type: CustomerDto })
  @ApiErrors(400, 404)
  adminSuspendCustomer(@Param('id', UuidParamPipe) id: string, @CurrentRequestMeta() meta: RequestMeta): Promise<CustomerDto> {
    return this.admin.setSuspended(id, true, meta);
  }

  @Post('customers/:id/unsuspend')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'adminUnsuspendCustomer',
    summary: 'Reactivate a customer',
    description: 'Its keys work again and its queued workloads are scheduled from the scheduler\'s next sweep. Idempotent; audited as `customer.unsuspended`.',
  })
  @ApiParam(CUSTOMER_ID)
  @ApiOkResponse({ description: 'The active customer.', type: CustomerDto })
  @ApiErrors(400, 404)
  adminUnsuspendCustomer(@Param('id', UuidParamPipe) id: string, @CurrentRequestMeta() meta: RequestMeta): Promise<CustomerDto> {
    return this.admin.setSuspended(id, false, meta);
  }

  @Get('customers/:id/api-keys')
  @ApiOperation({ operationId: 'adminListApiKeys', summary: 'List a customer\'s API keys', description: 'Every key of the customer (revoked and expired ones too), newest first: public prefix and dates, never the secret.' })
  @ApiParam(CUSTOMER_ID)
  @ApiOkResponse({ description: 'Keys.', type: ApiKeyListDto })
  @ApiErrors(400, 404)
  adminListApiKeys(@Param('id', UuidParamPipe) id: string): Promise<ApiKeyListDto> {
    return this.admin.listKeys(id);
  }

  @Post('customers/:id/api-keys')
  @ApiOperation({
    operationId: 'adminIssueApiKey',
    summary: 'Issue an API key',
    description: 'Creates a key for the customer. The key is in this response only: it is stored as a SHA-256 hash.',
  })
  @ApiParam(CUSTOMER_ID)
  @ApiCreatedResponse({ description: 'Issued.', type: IssuedApiKeyDto })
  @ApiErrors(400, 404)
  adminIssueApiKey(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: IssueApiKeyDto,
    @CurrentRequestMeta() meta: RequestMeta,
  ): Promise<IssuedApiKeyDto> {
    return this.admin.issueKey(id, body, meta);
  }

  @Delete('api-keys/:id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'adminRevokeApiKey',
    summary: 'Revoke an API key',
    description: 'The key stops working at once on this replica and within seconds (the auth cache TTL) on the others. Revoking twice is harmless.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'API key id.', example: '3e0d7c4b-5a6f-4b21-8c3d-2f1e0a9b8c7d' })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiErrors(400, 404)
  async adminRevokeApiKey(@Param('id', UuidParamPipe) id: string, @CurrentRequestMeta() meta: RequestMeta): Promise<void> {
    await this.admin.revokeKey(id, meta);
  }
}
