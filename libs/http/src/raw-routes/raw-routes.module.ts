import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Metrics } from '@switchyard/telemetry';
import { RAW_ROUTE_AUTHENTICATOR, type RawRouteAuthenticator } from './raw-route-authenticator';
import { RawRoutes } from './raw-routes';

/** Makes RawRoutes injectable in every module of the app, guarded by the app's RawRouteAuthenticator. */
@Global()
@Module({})
export class RawRoutesModule {
  static forRoot(logger: Logger, metrics: Metrics): DynamicModule {
    return {
      module: RawRoutesModule,
      providers: [
        {
          provide: RawRoutes,
          inject: [RAW_ROUTE_AUTHENTICATOR],
          useFactory: (authenticator: RawRouteAuthenticator) => new RawRoutes(logger, metrics, authenticator),
        },
      ],
      exports: [RawRoutes],
    };
  }
}
