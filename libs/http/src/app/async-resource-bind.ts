import { AsyncResource } from 'node:async_hooks';

/**
 * Node 20's `AsyncResource#bind` gives every bound function a deprecated `asyncResource` accessor
 * (DEP0172) made by `util.deprecate`, which calls `Object.setPrototypeOf(wrapper, fn)`. That turns each
 * short-lived wrapper into a prototype whose map lives in old space, and the old-to-new pointer keeps the
 * wrapper and everything it closes over alive through young-generation collections. Fastify binds one
 * such function per request body (its content-type parser), so every request's objects (request, reply,
 * body) were promoted to old space: scavenges of 6-17 ms instead of under 1 ms, and a heap that grew by
 * megabytes a second until a full collection (measured with bench/router-overhead and --trace-gc-nvp).
 *
 * This replaces `bind` with the same behaviour minus the deprecated accessor: the bound function runs
 * `fn` in the resource's async scope with the caller's `this` (or `thisArg`), and keeps `fn.length`.
 * It is installed only where the running Node still defines the accessor. Returns whether it was.
 */
export function installLeanAsyncResourceBind(): boolean {
  const probe = new AsyncResource('switchyard-probe').bind(() => undefined);
  if (!Object.getOwnPropertyDescriptor(probe, 'asyncResource')?.get) return false;
  type AnyFn = (this: unknown, ...args: unknown[]) => unknown;
  function bind(this: AsyncResource, fn: AnyFn, thisArg?: unknown): AnyFn {
    if (typeof fn !== 'function') throw new TypeError('The "fn" argument must be of type function.');
    const resource: AsyncResource = this; // eslint-disable-line @typescript-eslint/no-this-alias -- the bound function's own `this` is the caller's
    const bound: AnyFn =
      thisArg === undefined
        ? function (this: unknown, ...args: unknown[]) {
            return resource.runInAsyncScope(fn, this, ...args);
          }
        : (...args: unknown[]) => resource.runInAsyncScope(fn, thisArg, ...args);
    Object.defineProperty(bound, 'length', { configurable: true, enumerable: false, value: fn.length, writable: false });
    return bound;
  }
  AsyncResource.prototype.bind = bind as typeof AsyncResource.prototype.bind;
  return true;
}
