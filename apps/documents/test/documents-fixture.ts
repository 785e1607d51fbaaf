import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createTestEnvironment,
  freePort,
  seedTenant,
  startServiceProcess,
  startWorkerProcess,
  type SeededTenant,
  type ServiceProcess,
  type TestEnvironment,
  type WorkerProcess,
} from '@switchyard/testing';
import { startDocuments } from '../src/bootstrap';

/**
 * What a documents e2e spec starts from: a test environment of its own, the router as a real process (the admin
 * API that seeds the tenant, and the gateway the worker's model calls go through), the documents worker as a real
 * process, the documents API in this process, and a seeded tenant.
 */
export interface DocumentsFixture {
  env: TestEnvironment;
  router: ServiceProcess;
  worker: WorkerProcess;
  api: NestFastifyApplication;
  /** The documents API's URL. */
  url: string;
  tenant: SeededTenant;
  /** Stops the processes, closes the API and drops the environment. */
  close(): Promise<void>;
}

export interface DocumentsFixtureOptions {
  /** Environment overrides of the suite (createTestEnvironment's). */
  env?: Record<string, string>;
  /** The model connection the tenant is seeded with (none: a tenant without one). */
  connection?: { provider: string; slug: string; credentials: Record<string, unknown>; base_url: string };
  /** How long the worker may take to start (startWorkerProcess's default otherwise). */
  workerTimeoutMs?: number;
  /** Start the router, the worker and the API one at a time rather than together. */
  oneAtATime?: boolean;
  /** false: no worker (the API alone). */
  worker?: boolean;
}

/** Starts a {@link DocumentsFixture}; if any step fails, what was started is stopped before the error is thrown. */
export async function startDocumentsFixture(options: DocumentsFixtureOptions & { worker: false }): Promise<Omit<DocumentsFixture, 'worker'>>;
export async function startDocumentsFixture(options?: DocumentsFixtureOptions): Promise<DocumentsFixture>;
export async function startDocumentsFixture(options: DocumentsFixtureOptions = {}): Promise<Omit<DocumentsFixture, 'worker'> & { worker?: WorkerProcess }> {
  const started: Partial<DocumentsFixture> = {};
  const close = async () => {
    await Promise.all([started.worker?.stop(), started.router?.stop(), started.api?.close()]);
    await started.env?.cleanup();
  };
  try {
    const env = (started.env = await createTestEnvironment(options.env));
    const startRouterProcess = async () => (started.router = await startServiceProcess('router', env.env, await freePort()));
    const startWorker = async () => {
      if (options.worker !== false) started.worker = await startWorkerProcess(env.env, options.workerTimeoutMs);
    };
    const startApi = async () => (started.api = await startDocuments(env.config, 0));
    if (options.oneAtATime) {
      await startRouterProcess();
      await startWorker();
      await startApi();
    } else {
      await Promise.all([startRouterProcess(), startWorker(), startApi()]);
    }
    const { router, api } = started as Required<typeof started>;
    const tenant = await seedTenant(router.url, env.config.admin.token, options.connection);
    return { env, router, worker: started.worker, api, url: await api.getUrl(), tenant, close };
  } catch (error) {
    await close();
    throw error;
  }
}
