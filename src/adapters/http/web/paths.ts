/**
 * Every route of the web pages, in API Gateway's `{param}` notation. The
 * CDK app creates exactly these (no API key: the app checks the session),
 * and a test checks the app answers each of them. Add a page: add it here.
 */
import { ASSET_PATHS } from './assets.js';

export const WEB_ROUTES: readonly (readonly [method: 'GET' | 'POST', path: string])[] = [
  ['GET', '/'],
  ['GET', '/sign-in'],
  ['POST', '/sign-in'],
  ['POST', '/sign-out'],
  ['GET', '/host/{name}'],
  ['POST', '/host/{name}/addresses'],
  ['POST', '/host/{name}/tokens'],
  ['POST', '/host/{name}/tokens/{id}/revoke'],
  ['GET', '/host/{name}/setup'],
  ['GET', '/account/password'],
  ['POST', '/account/password'],
  ...Object.values(ASSET_PATHS).map((path) => ['GET', path] as const),
  // the admin pages (admins only; the app answers everyone else 404)
  ['GET', '/admin'],
  ['GET', '/admin/users'],
  ['POST', '/admin/users'],
  ['GET', '/admin/users/{username}'],
  ['POST', '/admin/users/{username}/delete'],
  ['POST', '/admin/users/{username}/password'],
  ['POST', '/admin/users/{username}/grants'],
  ['POST', '/admin/users/{username}/grants/remove'],
  ['POST', '/admin/users/{username}/role'],
  ['GET', '/admin/hosts'],
  ['POST', '/admin/hosts/{name}/unblock'],
  ['GET', '/admin/activity'],
];
