/**
 * `pending`, or the error `timedOut()` makes once `ms` have passed without an answer: a Redis that does not
 * answer (its client queues commands while it reconnects) must not hold a request. One timer and one promise
 * per call; `failed` maps the call's own rejection (the default passes it through). `timedOut` runs once, when
 * the timer fires: the place to undo what a late answer will have done.
 */
export function boundedCall<T>(pending: Promise<T>, ms: number, timedOut: () => Error, failed: (err: unknown) => unknown = (err) => err): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timedOut()), ms);
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(failed(err));
      },
    );
  });
}
