/**
 * Admin API input schemas. One zod schema per body; the HTTP adapter and the
 * CLI validate with them, and API Gateway gets the JSON Schema generated from
 * them (see `adminJsonSchemas`).
 */
import * as z from 'zod';
import { parseIPv4, parseIPv6 } from '../domain/ip.js';
import { HISTORY_RESULTS } from '../domain/model.js';
import { isFqdn, isGrantPattern } from '../domain/names.js';
import { TSIG_ALGORITHMS, isTsigKeyName } from '../domain/tsig-keys.js';

export const usernameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/, 'letters, digits and . _ @ + -, at most 64 characters');

export const passwordSchema = z.string().min(8, 'at least 8 characters').max(256, 'at most 256 characters');

const lowerName = (s: string) => s.trim().toLowerCase().replace(/\.$/, '');

export const grantPatternSchema = z
  .string()
  .max(255)
  .transform(lowerName)
  .refine(isGrantPattern, 'a fully qualified name or *.name');

export const hostnameSchema = z.string().max(255).transform(lowerName).refine(isFqdn, 'a fully qualified name');

export const createUserSchema = z
  .object({
    username: usernameSchema,
    password: passwordSchema,
    domains: z.array(grantPatternSchema).max(1000).default([]),
    admin: z.boolean().default(false),
  })
  .strict();

export const setPasswordSchema = z.object({ password: passwordSchema }).strict();
export const setAdminSchema = z.object({ admin: z.boolean() }).strict();
export const grantSchema = z.object({ domain: grantPatternSchema }).strict();
export const createTokenSchema = z.object({ hostname: hostnameSchema }).strict();

/** A TSIG key's name: a DNS name (one label is enough), compared in lower case without the trailing dot. */
export const tsigKeyNameSchema = z.string().max(255).transform(lowerName).refine(isTsigKeyName, 'a DNS name of letters, digits and hyphens, at most 253 characters');
export const tsigAlgorithmSchema = z
  .string()
  .max(32)
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.enum(TSIG_ALGORITHMS, { error: `one of ${TSIG_ALGORITHMS.join(', ')}` }));
/** POST /users/:username/tsig-keys: both optional (a generated name, hmac-sha256). Self-hosted only, so no API Gateway model. */
export const createTsigKeySchema = z.object({ name: tsigKeyNameSchema.optional(), algorithm: tsigAlgorithmSchema.optional() }).strict();

/** A usable address of one family in canonical form (the unspecified address is no host's address). */
const addressSchema = (parse: (raw: string) => string | undefined, unspecified: string, what: string) =>
  z
    .string()
    .max(64)
    .transform((s) => parse(s.trim()) ?? '')
    .refine((a) => a !== '' && a !== unspecified, what);

/** PUT /hosts/:name/addresses: a family left out stays, null removes it. */
export const setAddressesSchema = z
  .object({
    v4: addressSchema(parseIPv4, '0.0.0.0', 'an IPv4 address').nullable().optional(),
    v6: addressSchema(parseIPv6, '::', 'an IPv6 address').nullable().optional(),
  })
  .strict()
  .meta({ minProperties: 1 }) // what the refinement below says, in the generated JSON Schema (API Gateway)
  .refine((b) => b.v4 !== undefined || b.v6 !== undefined, 'give v4, v6 or both (null removes an address)');

/** An empty field is no filter: a search form sends every field, filled or not. */
const optionalFilter = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/**
 * GET /activity (and the admin activity page): optional user, host and
 * result filters and a limit of 1 to 1000 (default 50).
 */
export const activityQuerySchema = z.object({
  user: optionalFilter(usernameSchema),
  host: optionalFilter(hostnameSchema),
  result: optionalFilter(z.enum(HISTORY_RESULTS, { error: `one of ${HISTORY_RESULTS.join(', ')}` })),
  limit: optionalFilter(z.string().regex(/^[0-9]{1,4}$/, 'a whole number from 1 to 1000'))
    .transform((v) => (v === undefined ? 50 : Number(v)))
    .pipe(z.number().int().min(1, 'at least 1').max(1000, 'at most 1000')),
});
export type ActivityQuery = z.infer<typeof activityQuerySchema>;

/** A new account as the use case takes it (the parsed createUserSchema fits); admin defaults to false. */
export interface CreateUserInput {
  readonly username: string;
  readonly password: string;
  readonly domains: readonly string[];
  readonly admin?: boolean;
}

/** JSON Schemas (draft 2020-12 / draft-4-compatible subset) of the admin request bodies. */
export function adminJsonSchemas(): Record<string, unknown> {
  const io = { io: 'input' as const, unrepresentable: 'any' as const };
  return {
    createUser: z.toJSONSchema(createUserSchema, io),
    setPassword: z.toJSONSchema(setPasswordSchema, io),
    setAdmin: z.toJSONSchema(setAdminSchema, io),
    grant: z.toJSONSchema(grantSchema, io),
    createToken: z.toJSONSchema(createTokenSchema, io),
    setAddresses: z.toJSONSchema(setAddressesSchema, io),
  };
}
