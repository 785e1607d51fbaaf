import { Module } from '@nestjs/common';
import { RoutingModule } from '@switchyard/routing';
import { EndpointRoutes } from './endpoints.routes';

/** The OpenAI endpoints besides chat completions (embeddings, legacy completions, images, audio), and Cloudflare's provider-native paths. */
@Module({ imports: [RoutingModule], providers: [EndpointRoutes] })
export class EndpointsModule {}
