import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { installLeanAsyncResourceBind } from './async-resource-bind';

describe('installLeanAsyncResourceBind', () => {
  const original = AsyncResource.prototype.bind;
  afterAll(() => {
    AsyncResource.prototype.bind = original;
  });

  it('replaces the Node 20 bind once, dropping the deprecated accessor', () => {
    const before = new AsyncResource('t').bind(() => 1);
    const hadAccessor = Object.getOwnPropertyDescriptor(before, 'asyncResource') !== undefined;
    expect(installLeanAsyncResourceBind()).toBe(hadAccessor);
    expect(installLeanAsyncResourceBind()).toBe(false);
    const after = new AsyncResource('t').bind(() => 1);
    expect(Object.getOwnPropertyDescriptor(after, 'asyncResource')).toBeUndefined();
  });

  it('runs the function in the async context where it was bound, with this, arguments and length', () => {
    installLeanAsyncResourceBind();
    const als = new AsyncLocalStorage<string>();
    const bound = als.run('bound-here', () =>
      new AsyncResource('t').bind(function (this: { tag: string } | undefined, a: number, b: number) {
        return [als.getStore(), this?.tag, a + b];
      }),
    );
    expect(bound.length).toBe(2);
    const holder = { tag: 'holder', bound };
    expect(als.run('caller', () => holder.bound(1, 2))).toEqual(['bound-here', 'holder', 3]);

    // `bind(fn, thisArg)`: Node supports the second argument; @types/node does not declare it.
    const bindWithThis = AsyncResource.prototype.bind as unknown as (this: AsyncResource, fn: () => unknown, thisArg: unknown) => () => unknown;
    const withThis = als.run('bound-here', () =>
      bindWithThis.call(new AsyncResource('t'), function (this: { tag: string }) {
        return [als.getStore(), this.tag];
      }, { tag: 'fixed' }),
    );
    expect(als.run('caller', () => withThis())).toEqual(['bound-here', 'fixed']);
    expect(AsyncResource.bind((x: number) => x * 2)(21)).toBe(42);
  });

  it('rejects a non-function like the original', () => {
    installLeanAsyncResourceBind();
    // By name: an app started in this Jest worker (createHttpApp) may have installed it from another module realm.
    expect(() => new AsyncResource('t').bind(42 as never)).toThrow(expect.objectContaining({ name: 'TypeError' }));
  });
});
