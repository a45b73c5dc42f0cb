/**
 * The route a request took, as metrics label it: Hono's matched route
 * pattern (`/hosts/:name`), never the raw URL. A handler mounted on `*` that
 * matches paths itself (dyndns2's forgiving paths) names the table path it
 * recognised, and a request no route answered is `unmatched`.
 */
import type { Context } from 'hono';
import { routePath } from 'hono/route';

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by handlers whose Hono pattern (`*`) says nothing; a fixed table path, never client text. */
    routeName?: string;
  }
}

export const UNMATCHED_ROUTE = 'unmatched';

export function nameRoute(c: Context, name: string): void {
  c.set('routeName', name);
}

export function routeName(c: Context): string {
  return c.get('routeName') ?? (routePath(c) || UNMATCHED_ROUTE);
}
