import { DeferredWrites } from './deferred-writes';

describe('DeferredWrites', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('holds writes until a flush, then sends them in the order deferred, in the flushing tick', async () => {
    const writes = new DeferredWrites(1000);
    const sent: string[] = [];
    const a = writes.later(async () => (sent.push('a'), 1));
    const b = writes.later(async () => (sent.push('b'), 2));
    await sleep(5);
    expect(sent).toEqual([]);
    writes.flush();
    sent.push('now');
    expect(sent).toEqual(['a', 'b', 'now']);
    await expect(Promise.all([a, b])).resolves.toEqual([1, 2]);
    writes.flush();
    expect(sent).toEqual(['a', 'b', 'now']);
  });

  it('sends them alone once the delay has passed without a flush, and passes a failed write on', async () => {
    const writes = new DeferredWrites(20);
    const sent: number[] = [];
    const started = Date.now();
    const ok = writes.later(async () => sent.push(Date.now() - started));
    const failed = writes.later(() => Promise.reject(new Error('refused')));
    await expect(ok).resolves.toBe(1);
    await expect(failed).rejects.toThrow('refused');
    expect(sent[0]).toBeGreaterThanOrEqual(15);
  });

  it('drain sends what is held and waits for the answers', async () => {
    const writes = new DeferredWrites(1000);
    let answered = false;
    void writes.later(() => sleep(20).then(() => (answered = true)));
    await writes.drain();
    expect(answered).toBe(true);
  });
});
