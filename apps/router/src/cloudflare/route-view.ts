import type { Paging } from '@switchyard/http';
import type { RouteDeploymentView, RouteVersionView, RouteView } from '@switchyard/tenancy';

/** Where a route lives in Cloudflare's terms: the account (organization) and the gateway (project slug). */
export interface RouteScope {
  account: string;
  gateway: string;
}

/** A route version as Cloudflare nests it in a route: `active` ("true"/"false"), `data` (the document as JSON), `version_id`. */
export type CfVersion = Pick<RouteVersionView, 'active' | 'created_at' | 'data' | 'version_id'>;

/** A route as Cloudflare answers it: its ids, the live version's `elements`, the live `version` and the latest `deployment`. */
export interface CfRoute {
  id: string;
  account_tag: string;
  gateway_id: string;
  name: string;
  created_at: string;
  modified_at: string;
  elements: unknown[];
  version: CfVersion | null;
  deployment: RouteDeploymentView | null;
}

const elementsOf = (version: RouteVersionView): unknown[] => (JSON.parse(version.data) as { elements: unknown[] }).elements;

const versionOf = ({ active, created_at, data, version_id }: RouteVersionView): CfVersion => ({ active, created_at, data, version_id });

/** The route with its live version (none when nothing is deployed) and latest deployment. */
export function cfRoute(scope: RouteScope, route: RouteView, live: RouteVersionView | null, deployment: RouteDeploymentView | null): CfRoute {
  return {
    id: route.id,
    account_tag: scope.account,
    gateway_id: scope.gateway,
    name: route.name,
    created_at: route.created_at,
    modified_at: route.modified_at,
    elements: live ? elementsOf(live) : [],
    version: live ? versionOf(live) : null,
    deployment,
  };
}

/** One version as Cloudflare answers version get/create: the route's ids and name with that version's elements and fields. */
export function cfRouteVersion(route: CfRoute, version: RouteVersionView) {
  const { version: _live, deployment: _deployment, ...base } = route;
  return { ...base, ...versionOf(version), elements: elementsOf(version) };
}

/** The items of one page. */
export const pageOf = <T>(items: readonly T[], { page, perPage }: Paging): T[] => items.slice((page - 1) * perPage, page * perPage);

/**
 * Cloudflare's list shape of the dynamic-routing API (not the V4 envelope): `{data: {<key>: [...], page, per_page,
 * order_by, order_by_direction}, success}` around the items of one page (see `pageOf`), in creation order.
 */
export function cfRouteList<K extends string, T>(key: K, pageItems: T[], { page, perPage }: Paging) {
  const data = { [key]: pageItems, page, per_page: perPage, order_by: 'created_at', order_by_direction: 'asc' } as Record<K, T[]> & {
    page: number;
    per_page: number;
    order_by: string;
    order_by_direction: string;
  };
  return { data, success: true };
}
