import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ModulesContainer } from '@nestjs/core';
import {
  AccessKeysRepository,
  ConnectionsRepository,
  DOCUMENT_STORAGE,
  DocumentJobsRepository,
  DocumentTemplatesRepository,
  ProjectsRepository,
  RunsRepository,
  SpansRepository,
  WebhookDeliveriesRepository,
} from '@switchyard/persistence';
import { createTestEnvironment, type TestEnvironment } from '@switchyard/testing';
import { startRouter } from './bootstrap';

describe('router process: the repositories its features register', () => {
  let env: TestEnvironment;
  let router: NestFastifyApplication;

  beforeAll(async () => {
    env = await createTestEnvironment();
    router = await startRouter(env.config, 0);
  });

  afterAll(async () => {
    await router?.close();
    await env?.cleanup();
  });

  it('holds the tenancy repositories and no documents or collector repository', () => {
    const tokens = new Set([...router.get(ModulesContainer).values()].flatMap((m) => [...m.providers.keys()]));
    for (const token of [AccessKeysRepository, ProjectsRepository, ConnectionsRepository]) expect(tokens).toContain(token);
    for (const token of [DocumentJobsRepository, DocumentTemplatesRepository, WebhookDeliveriesRepository, DOCUMENT_STORAGE, SpansRepository, RunsRepository]) {
      expect(tokens).not.toContain(token);
    }
  });
});
