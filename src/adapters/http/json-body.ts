import type { Context } from 'hono';
import type { ZodType } from 'zod';
import { SignpostError } from '../../domain/errors.js';

/** The request's JSON body checked against `schema`; SignpostError('invalid_request') naming what is wrong otherwise. */
export async function jsonBody<T>(c: Context, schema: ZodType<T>): Promise<T> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    throw new SignpostError('invalid_request', 'the body must be a JSON object');
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  throw new SignpostError('invalid_request', result.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; '));
}
