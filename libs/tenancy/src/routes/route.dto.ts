import { z } from 'zod';

/** A route name as `dynamic/<name>` spells it. */
export const routeNameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a route name is 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit');

/** The route fields besides the document (`elements`, validated by the routing lib's RouteDocumentValidator). */
export const createRouteSchema = z.object({ name: routeNameSchema }).passthrough();
export const patchRouteSchema = z.object({ name: routeNameSchema }).strict();
export const deployRouteSchema = z.object({ version_id: z.string().uuid() }).strict();
