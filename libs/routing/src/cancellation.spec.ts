import { Cancellation } from './cancellation';

describe('Cancellation', () => {
  it('runs abort callbacks once, at once when already aborted, and not after they stopped listening', () => {
    const c = new Cancellation();
    const seen: string[] = [];
    c.onAbort(() => seen.push('a'));
    const stop = c.onAbort(() => seen.push('b'));
    stop();
    c.abort('why');
    c.abort('again');
    expect(seen).toEqual(['a']);
    expect(c).toMatchObject({ aborted: true, reason: 'why' });
    c.onAbort(() => seen.push('late'));
    expect(seen).toEqual(['a', 'late']);
    expect(c.listenerCount('abort')).toBe(0);
  });

  it('follows an AbortSignal while the work runs, then lets go of it', async () => {
    const controller = new AbortController();
    let inner: Cancellation | undefined;
    const result = Cancellation.following(controller.signal, (cancel) => {
      inner = cancel;
      return new Promise<string>((resolve) => cancel.onAbort(() => resolve(`aborted: ${String(cancel.reason)}`)));
    });
    controller.abort('job cancelled');
    await expect(result).resolves.toBe('aborted: job cancelled');

    const later = new AbortController();
    await Cancellation.following(later.signal, async (cancel) => {
      inner = cancel;
    });
    later.abort();
    expect(inner?.aborted).toBe(false);
  });

  it('starts aborted for a signal that already was', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(Cancellation.following(controller.signal, async (c) => c.aborted)).resolves.toBe(true);
    await expect(Cancellation.following(undefined, async (c) => c.aborted)).resolves.toBe(false);
  });
});
