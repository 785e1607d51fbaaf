import type { ProjectSnapshot } from '@switchyard/auth';
import { GatewayError } from '@switchyard/types';
import { Cancellation } from '../cancellation';
import type { ExecutionResult } from '../executor';
import { parseUniversalSteps, runUniversalSteps } from './universal-steps';

const messages = [{ role: 'user', content: 'hi' }];
const steps = () =>
  parseUniversalSteps(
    [
      { provider: 'openai', endpoint: 'chat/completions', query: { model: 'gpt-4o-mini', messages }, config: { maxAttempts: 3, requestTimeout: 1000, retryDelay: 10, backoff: 'linear' } },
      { provider: 'gemini', endpoint: '/v1/chat/completions', headers: { 'x-gateway-metadata': '{"team":"a"}' }, query: { model: 'gemini-2.0-flash', messages } },
    ],
    { 'x-gateway-metadata': '{"team":"b","user":"u"}' },
  );
const project = {} as ProjectSnapshot;
const caller = { organizationId: 'org', keyId: 'key' };
const ok = (model: string) => ({ kind: 'completion', meta: { step: 0, model } }) as unknown as ExecutionResult;
const failure = new GatewayError(503, 'api_error', 'provider_unavailable', 'down');

describe('parseUniversalSteps', () => {
  it("prefixes each model with its provider, applies a step's config and lets its headers beat the request's", () => {
    const [first, second] = steps();
    expect(first).toMatchObject({ kind: 'chat', request: { model: 'openai/gpt-4o-mini' }, controls: { maxAttempts: 3, requestTimeoutMs: 1000, retryDelayMs: 10, backoff: 'linear' } });
    expect(second).toMatchObject({ kind: 'chat', request: { model: 'google-ai-studio/gemini-2.0-flash' } });
    expect(second!.controls.log.metadata).toEqual({ team: 'a' });
    expect(first!.controls.log.metadata).toEqual({ team: 'b', user: 'u' });
  });
});

describe('runUniversalSteps', () => {
  it('returns the first step that succeeds, with its index as meta.step', async () => {
    const calls: string[] = [];
    const gateway = {
      execute: async (_c: unknown, _p: unknown, request: { model: string }) => {
        calls.push(request.model);
        if (request.model.startsWith('openai/')) throw failure;
        return ok(request.model);
      },
      executeEndpoint: async () => {
        throw new Error('not called');
      },
    };
    const result = await runUniversalSteps(gateway as never, caller, project, steps(), new Cancellation());
    expect(calls).toEqual(['openai/gpt-4o-mini', 'google-ai-studio/gemini-2.0-flash']);
    expect(result.meta.step).toBe(1);
  });

  it("answers the last step's error when all fail, and stops at once when the client is gone", async () => {
    const last = new GatewayError(429, 'rate_limit_error', 'rate_limit_exceeded', 'slow');
    let n = 0;
    const failing = { execute: async () => Promise.reject(++n === 1 ? failure : last), executeEndpoint: async () => Promise.reject(failure) };
    await expect(runUniversalSteps(failing as never, caller, project, steps(), new Cancellation())).rejects.toBe(last);
    const cancel = new Cancellation();
    let calls = 0;
    const aborting = {
      execute: async () => {
        calls += 1;
        cancel.abort();
        throw failure;
      },
      executeEndpoint: async () => Promise.reject(failure),
    };
    await expect(runUniversalSteps(aborting as never, caller, project, steps(), cancel)).rejects.toBe(failure);
    expect(calls).toBe(1);
  });
});
