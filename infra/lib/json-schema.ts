/**
 * JSON Schema (as zod's `toJSONSchema` emits it, draft 2020-12) to the
 * draft-04 dialect that API Gateway request models accept.
 *
 * API Gateway validates bodies with draft-04: no `const`, numeric
 * `exclusiveMinimum`/`exclusiveMaximum` are booleans there, `$defs` is
 * `definitions`, tuple `prefixItems` is an `items` array. Keywords draft-04
 * does not know are dropped (the Lambda validates the full zod schema again,
 * so stripping only ever makes the gateway more permissive, never stricter).
 */
import { JsonSchemaType, JsonSchemaVersion, type JsonSchema } from 'aws-cdk-lib/aws-apigateway';

type Json = Record<string, unknown>;

const TYPES: Record<string, JsonSchemaType> = {
  null: JsonSchemaType.NULL,
  boolean: JsonSchemaType.BOOLEAN,
  object: JsonSchemaType.OBJECT,
  array: JsonSchemaType.ARRAY,
  number: JsonSchemaType.NUMBER,
  integer: JsonSchemaType.INTEGER,
  string: JsonSchemaType.STRING,
};

/** Keywords copied unchanged (same meaning in draft-04 and 2020-12). */
const PLAIN = [
  'title',
  'description',
  'enum',
  'default',
  'format',
  'multipleOf',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'required',
] as const;

/** Converts one schema node; `root` adds the draft-04 `$schema`. */
export function toDraft04(input: unknown, root = true): JsonSchema {
  if (input === true || input === undefined) return {};
  if (input === false) return { not: {} };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error(`not a JSON Schema: ${JSON.stringify(input)}`);
  const s = input as Json;
  const out: Record<string, unknown> = {};
  if (root) out.schema = JsonSchemaVersion.DRAFT4;

  if (s.type !== undefined) {
    const list = (Array.isArray(s.type) ? s.type : [s.type]).map((t) => {
      const mapped = TYPES[String(t)];
      if (!mapped) throw new Error(`unknown JSON Schema type ${String(t)}`);
      return mapped;
    });
    out.type = list.length === 1 ? list[0] : list;
  }
  for (const key of PLAIN) if (s[key] !== undefined) out[key] = s[key];
  if (Array.isArray(out.required) && out.required.length === 0) delete out.required; // draft-04 needs at least one
  if (s.const !== undefined) out.enum = [s.const];

  // numeric bounds: 2020-12 exclusive bounds are numbers, draft-04's are flags on minimum/maximum
  if (typeof s.minimum === 'number') out.minimum = s.minimum;
  if (typeof s.maximum === 'number') out.maximum = s.maximum;
  if (typeof s.exclusiveMinimum === 'number') {
    if (typeof s.minimum !== 'number' || s.exclusiveMinimum >= s.minimum) {
      out.minimum = s.exclusiveMinimum;
      out.exclusiveMinimum = true;
    }
  } else if (typeof s.exclusiveMinimum === 'boolean') out.exclusiveMinimum = s.exclusiveMinimum;
  if (typeof s.exclusiveMaximum === 'number') {
    if (typeof s.maximum !== 'number' || s.exclusiveMaximum <= s.maximum) {
      out.maximum = s.exclusiveMaximum;
      out.exclusiveMaximum = true;
    }
  } else if (typeof s.exclusiveMaximum === 'boolean') out.exclusiveMaximum = s.exclusiveMaximum;

  const sub = (v: unknown) => toDraft04(v, false);
  const subMap = (v: unknown) => Object.fromEntries(Object.entries((v ?? {}) as Json).map(([k, x]) => [k, sub(x)]));
  if (s.properties !== undefined) out.properties = subMap(s.properties);
  if (s.patternProperties !== undefined) out.patternProperties = subMap(s.patternProperties);
  if (s.additionalProperties !== undefined) out.additionalProperties = typeof s.additionalProperties === 'boolean' ? s.additionalProperties : sub(s.additionalProperties);
  if (Array.isArray(s.prefixItems)) {
    out.items = s.prefixItems.map(sub);
    if (s.items !== undefined) out.additionalItems = typeof s.items === 'boolean' ? s.items : sub(s.items);
  } else if (s.items !== undefined) {
    out.items = Array.isArray(s.items) ? s.items.map(sub) : sub(s.items);
    if (s.additionalItems !== undefined) out.additionalItems = typeof s.additionalItems === 'boolean' ? s.additionalItems : sub(s.additionalItems);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) if (Array.isArray(s[key])) out[key] = (s[key] as unknown[]).map(sub);
  if (s.not !== undefined) out.not = sub(s.not);
  const defs = s.$defs ?? s.definitions;
  if (defs !== undefined) out.definitions = subMap(defs);
  if (typeof s.$ref === 'string') out.ref = s.$ref.replace(/^#\/\$defs\//, '#/definitions/');
  return out as JsonSchema;
}
