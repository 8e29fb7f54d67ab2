import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
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
import { ApiErrors } from '../common/api-errors.decorator';
import { CurrentRequestMeta, type RequestMeta } from '../common/request-meta.decorator';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { AdminService } from './admin.service';
import { IssueApiKeyDto, IssuedApiKeyDto } from './dto/api-key.dto';
import { CreateCustomerDto, CustomerDto, CustomerListDto } from './dto/customer.dto';

/** Operator API (NIYANTA_ADMIN_API_KEY): customers and API keys. */
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
  @ApiOperation({ operationId: 'adminListCustomers', summary: 'List customers', description: 'Every customer, oldest first.' })
  @ApiOkResponse({ description: 'Customers.', type: CustomerListDto })
  adminListCustomers(): Promise<CustomerListDto> {
    return this.admin.listCustomers();
  }

  @Post('customers/:id/api-keys')
  @ApiOperation({
    operationId: 'adminIssueApiKey',
    summary: 'Issue an API key',
    description: 'Creates a key for the customer. The key is in this response only: it is stored as a SHA-256 hash.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'Customer id.', example: '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77' })
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
