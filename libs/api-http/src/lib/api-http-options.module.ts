import { Global, Module, type DynamicModule } from '@nestjs/common';
import { API_HTTP_OPTIONS, type ApiHttpOptions } from './api-http.options';

/** Makes {@link ApiHttpOptions} injectable (`API_HTTP_OPTIONS`) in every resource module of the API. */
@Global()
@Module({})
export class ApiHttpOptionsModule {
  static forRoot(options: ApiHttpOptions): DynamicModule {
    return {
      module: ApiHttpOptionsModule,
      providers: [{ provide: API_HTTP_OPTIONS, useValue: options }],
      exports: [API_HTTP_OPTIONS],
    };
  }
}
