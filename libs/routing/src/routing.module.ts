import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TenantDirectory } from '@switchyard/auth';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { createAdapterRegistry } from '@switchyard/providers';
import { ModelCatalog } from './catalog/catalog';
import { Executor } from './executor';
import { createImageFetcher } from './image-fetcher';
import { GatewayClient } from './pipeline/gateway-client';
import { priceCatalogOf, pricedAccounting } from './pipeline/accounting';

class ExecutorCloser implements OnApplicationShutdown {
  constructor(@Inject(Executor) private readonly executor: Executor) {}
  async onApplicationShutdown(): Promise<void> {
    await this.executor.close();
  }
}

/** Provides the GatewayClient (the request pipeline, with its catalog, executor and prices) to the router and the documents worker. */
@Global()
@Module({
  providers: [
    { provide: ModelCatalog, useFactory: () => new ModelCatalog() },
    {
      provide: Executor,
      inject: [APP_CONFIG, ModelCatalog],
      useFactory: (c: ServiceConfig, catalog: ModelCatalog) => {
        const fetchImage = createImageFetcher(c.router.images);
        const executor = new Executor({
          bodyIdleTimeoutMs: c.router.requestTimeoutMs,
          adapters: createAdapterRegistry({ fetchImage }),
          account: pricedAccounting(priceCatalogOf(catalog)),
        });
        executor.onClose(() => fetchImage.close());
        return executor;
      },
    },
    ExecutorCloser,
    {
      provide: GatewayClient,
      inject: [TenantDirectory, ModelCatalog, Executor, APP_CONFIG],
      useFactory: (d: TenantDirectory, cat: ModelCatalog, e: Executor, c: ServiceConfig) => new GatewayClient(d, cat, e, c),
    },
  ],
  exports: [GatewayClient, ModelCatalog],
})
export class RoutingModule {}
