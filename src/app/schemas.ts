/**
 * Admin API input schemas. One zod schema per body; the HTTP adapter and the
 * CLI validate with them, and API Gateway gets the JSON Schema generated from
 * them (see `adminJsonSchemas`).
 */
import * as z from 'zod';
import { parseIPv4, parseIPv6 } from '../domain/ip.js';
import { isFqdn, isGrantPattern } from '../domain/names.js';

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
  })
  .strict();

export const setPasswordSchema = z.object({ password: passwordSchema }).strict();
export const grantSchema = z.object({ domain: grantPatternSchema }).strict();
export const createTokenSchema = z.object({ hostname: hostnameSchema }).strict();

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

export type CreateUserInput = z.infer<typeof createUserSchema>;

/** JSON Schemas (draft 2020-12 / draft-4-compatible subset) of the admin request bodies. */
export function adminJsonSchemas(): Record<string, unknown> {
  const io = { io: 'input' as const, unrepresentable: 'any' as const };
  return {
    createUser: z.toJSONSchema(createUserSchema, io),
    setPassword: z.toJSONSchema(setPasswordSchema, io),
    grant: z.toJSONSchema(grantSchema, io),
    createToken: z.toJSONSchema(createTokenSchema, io),
    setAddresses: z.toJSONSchema(setAddressesSchema, io),
  };
}
