/**
 * Admin API input schemas. One zod schema per body; the HTTP adapter and the
 * CLI validate with them, and API Gateway gets the JSON Schema generated from
 * them (see `adminJsonSchemas`).
 */
import * as z from 'zod';
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

export type CreateUserInput = z.infer<typeof createUserSchema>;

/** JSON Schemas (draft 2020-12 / draft-4-compatible subset) of the admin request bodies. */
export function adminJsonSchemas(): Record<string, unknown> {
  const io = { io: 'input' as const, unrepresentable: 'any' as const };
  return {
    createUser: z.toJSONSchema(createUserSchema, io),
    setPassword: z.toJSONSchema(setPasswordSchema, io),
    grant: z.toJSONSchema(grantSchema, io),
    createToken: z.toJSONSchema(createTokenSchema, io),
  };
}
