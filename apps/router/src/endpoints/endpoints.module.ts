import { Module } from '@nestjs/common';
import { RoutingModule } from '@switchyard/routing';
import { EndpointRoutes } from './endpoints.routes';
import { ProviderNativeRoutes } from '../cloudflare/provider-native.routes';

/** The OpenAI endpoints besides chat completions (embeddings, legacy completions, images, audio), and Cloudflare's provider-native paths. */
@Module({ imports: [RoutingModule], providers: [EndpointRoutes, ProviderNativeRoutes] })
export class EndpointsModule {}
