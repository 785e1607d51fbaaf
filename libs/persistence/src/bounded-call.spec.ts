import { boundedCall } from './bounded-call';

describe('boundedCall', () => {
  const timeout = () => new Error('late');

  it('resolves with the answer that comes in time, and its timer does not fire afterwards', async () => {
    const timedOut = jest.fn(timeout);
    await expect(boundedCall(Promise.resolve(7), 20, timedOut)).resolves.toBe(7);
    await new Promise((r) => setTimeout(r, 40));
    expect(timedOut).not.toHaveBeenCalled();
  });

  it('rejects with the timeout error when no answer comes in time, calling timedOut exactly once', async () => {
    const timedOut = jest.fn(timeout);
    let answer: (v: number) => void = () => undefined;
    const started = Date.now();
    const call = boundedCall(new Promise<number>((r) => (answer = r)), 30, timedOut);
    await expect(call).rejects.toThrow('late');
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    answer(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(timedOut).toHaveBeenCalledTimes(1);
  });

  it("passes the call's own failure through, or maps it", async () => {
    await expect(boundedCall(Promise.reject(new Error('refused')), 1000, timeout)).rejects.toThrow('refused');
    await expect(boundedCall(Promise.reject(new Error('refused')), 1000, timeout, (err) => new Error(`wrapped: ${(err as Error).message}`))).rejects.toThrow('wrapped: refused');
  });
});
