import type { Context, Handler, Hono, MiddlewareHandler } from 'hono';
import type { ZodType } from 'zod';
import type { Accounts } from '../../app/accounts.js';
import type { AdminKey } from '../../app/admin-key.js';
import type { ChallengeRecords } from '../../app/challenge-records.js';
import type { SetHostAddresses } from '../../app/set-host-addresses.js';
import {
  activityQuerySchema,
  createTokenSchema,
  createUserSchema,
  grantPatternSchema,
  grantSchema,
  hostnameSchema,
  setAddressesSchema,
  setAdminSchema,
  setPasswordSchema,
  usernameSchema,
} from '../../app/schemas.js';
import type { HistoryEntry } from '../../domain/model.js';
import { SignpostError } from '../../domain/errors.js';
import { adminKeyRequest } from './admin-key-request.js';
import { limitBody } from './body-limit.js';
import type { KeyCheck } from './key-check.js';
import { ADMIN_ROUTES, routeKey, type AdminRouteKey } from './routes.js';

export interface AdminDeps {
  readonly accounts: Accounts;
  readonly adminKey: AdminKey;
  readonly setHostAddresses: SetHostAddresses;
  /** The caller's address, for the history of admin changes. */
  readonly clientAddress: (c: Context) => string | undefined;
  readonly checkKey: KeyCheck;
  readonly challenges: Pick<ChallengeRecords, 'listOf'>;
}

/** Admin API: accounts, grants, tokens and hosts, behind the `X-API-KEY` admin key. */
export function registerAdmin(app: Hono, deps: AdminDeps): void {
  const { accounts } = deps;
  const guard = requireAdminKey(deps.adminKey, deps.checkKey);
  const admin = [limitBody(64 * 1024), guard] as const;

  const createUser = async (c: Context) => c.json(await accounts.createUser(await body(c, createUserSchema)), 201);
  // One handler per row of ADMIN_ROUTES (routes.ts); the type makes a missing or extra one a compile error.
  const handlers: Record<AdminRouteKey, Handler> = {
    'POST /user': createUser,
    'POST /users': createUser,
    'GET /users': async (c) => c.json({ users: await accounts.listUsers() }),
    'GET /users/:username': async (c) => c.json(await accounts.getUser(param(c, 'username', usernameSchema))),
    'DELETE /users/:username': async (c) => {
      await accounts.deleteUser(param(c, 'username', usernameSchema));
      return c.body(null, 204);
    },
    'PUT /users/:username/password': async (c) => {
      const { password } = await body(c, setPasswordSchema);
      await accounts.resetPassword(param(c, 'username', usernameSchema), password);
      return c.body(null, 204);
    },
    'PUT /users/:username/admin': async (c) => {
      const { admin: role } = await body(c, setAdminSchema);
      return c.json(await accounts.setAdmin(param(c, 'username', usernameSchema), role));
    },
    'POST /users/:username/grants': async (c) => {
      const { domain } = await body(c, grantSchema);
      return c.json(await accounts.addGrant(param(c, 'username', usernameSchema), domain));
    },
    'DELETE /users/:username/grants/:pattern': async (c) =>
      c.json(await accounts.removeGrant(param(c, 'username', usernameSchema), param(c, 'pattern', grantPatternSchema))),
    'POST /users/:username/tokens': async (c) => {
      const { hostname } = await body(c, createTokenSchema);
      return c.json(await accounts.createToken(param(c, 'username', usernameSchema), hostname), 201);
    },
    'GET /users/:username/tokens': async (c) => c.json({ tokens: await accounts.listTokens(param(c, 'username', usernameSchema)) }),
    'DELETE /tokens/:id': async (c) => {
      await accounts.revokeToken(c.req.param('id') ?? '');
      return c.body(null, 204);
    },
    'GET /hosts': async (c) => c.json({ hosts: await accounts.listHosts(c.req.query('owner')) }),
    'GET /hosts/:name': async (c) => c.json(await accounts.getHost(param(c, 'name', hostnameSchema))),
    'GET /hosts/:name/history': async (c) => {
      const raw = c.req.query('limit');
      // Anything but plain digits (abc, -1, 1.5) is NaN, which the use case refuses like 0 or 5000.
      const limit = raw === undefined ? 50 : /^[0-9]{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
      const entries = await accounts.history(param(c, 'name', hostnameSchema), limit);
      return c.json({ history: entries.map(entryView) });
    },
    'GET /activity': async (c) => {
      const query = validate(activityQuerySchema, c.req.query());
      const filter = { ...(query.user ? { owner: query.user } : {}), ...(query.host ? { hostname: query.host } : {}), ...(query.result ? { result: query.result } : {}) };
      return c.json({ activity: (await accounts.activity(filter, query.limit)).map(entryView) });
    },
    'POST /hosts/:name/unblock': async (c) => c.json(await accounts.unblock(param(c, 'name', hostnameSchema))),
    'PUT /hosts/:name/addresses': async (c) => {
      const addresses = await body(c, setAddressesSchema);
      const userAgent = c.req.header('user-agent');
      return c.json(
        await deps.setHostAddresses.execute({
          name: param(c, 'name', hostnameSchema),
          ...addresses,
          sourceAddress: deps.clientAddress(c) ?? '',
          userAgent: userAgent ? `admin API (${userAgent})` : 'admin API',
        }),
      );
    },
    'GET /users/:username/challenges': async (c) => c.json({ challenges: await deps.challenges.listOf(param(c, 'username', usernameSchema)) }),
  };
  for (const route of ADMIN_ROUTES) app.on(route.method, route.path, ...admin, handlers[routeKey(route) as AdminRouteKey]);
}

const entryView = (e: HistoryEntry) => ({ ...e, at: new Date(e.at).toISOString() });

function requireAdminKey(adminKey: AdminKey, checkKey: KeyCheck): MiddlewareHandler {
  return async (c, next) => {
    const presented = c.req.header('x-api-key');
    if (!presented) throw new SignpostError('admin_key_missing', 'this endpoint needs the X-API-KEY header');
    checkKey(c, 'admin', () => adminKey.verify(presented, adminKeyRequest(c)), 'the X-API-KEY is not valid');
    await next();
  };
}

async function body<T>(c: Context, schema: ZodType<T>): Promise<T> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    throw new SignpostError('invalid_request', 'the body must be a JSON object');
  }
  return validate(schema, json);
}

function param<T>(c: Context, name: string, schema: ZodType<T>): T {
  return validate(schema, c.req.param(name));
}

function validate<T>(schema: ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const detail = result.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');
  throw new SignpostError('invalid_request', detail);
}
