/** 2020-12 (zod's output) → draft-04 (API Gateway models). */
import { JsonSchemaType } from 'aws-cdk-lib/aws-apigateway';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { toDraft04 } from '../../infra/lib/json-schema.js';
import { adminJsonSchemas } from '../../src/app/schemas.js';

describe('toDraft04', () => {
  it('marks the root as draft-04 and drops the 2020-12 $schema', () => {
    const out = toDraft04({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'string' }) as Record<string, unknown>;
    expect(out).toEqual({ schema: 'http://json-schema.org/draft-04/schema#', type: JsonSchemaType.STRING });
  });

  it('turns numeric exclusive bounds into draft-04 flags and const into enum', () => {
    const out = toDraft04({ type: 'object', properties: { n: { type: 'number', exclusiveMinimum: 0, maximum: 10 }, m: { type: 'integer', exclusiveMaximum: 5 }, k: { const: 'x' } } }, false);
    expect(out.properties).toEqual({
      n: { type: JsonSchemaType.NUMBER, minimum: 0, exclusiveMinimum: true, maximum: 10 },
      m: { type: JsonSchemaType.INTEGER, maximum: 5, exclusiveMaximum: true },
      k: { enum: ['x'] },
    });
  });

  it('maps tuples, $defs/$ref, nullable unions and booleans; drops unknown keywords and empty required', () => {
    const out = toDraft04(
      {
        type: ['string', 'null'],
        prefixItems: [{ type: 'string' }],
        items: false,
        $defs: { a: { type: 'string', $comment: 'dropped' } },
        $ref: '#/$defs/a',
        required: [],
        unevaluatedProperties: false,
        examples: ['x'],
        anyOf: [true, { not: {} }],
      },
      false,
    );
    expect(out).toEqual({
      type: [JsonSchemaType.STRING, JsonSchemaType.NULL],
      items: [{ type: JsonSchemaType.STRING }],
      additionalItems: false,
      definitions: { a: { type: JsonSchemaType.STRING } },
      ref: '#/definitions/a',
      anyOf: [{}, { not: {} }],
    });
  });

  it('converts every admin schema and keeps its constraints', () => {
    for (const [name, schema] of Object.entries(adminJsonSchemas())) {
      const out = toDraft04(schema);
      expect(JSON.stringify(out), name).not.toMatch(/2020-12|"const"|\$defs|prefixItems/);
      expect(out.additionalProperties, name).toBe(false);
      // a body must ask for something: required fields, or at least one of the optional ones
      expect(Math.max(out.required?.length ?? 0, out.minProperties ?? 0), name).toBeGreaterThan(0);
    }
  });

  it('follows zod: a new field in a schema appears in the model', () => {
    const schema = z.object({ name: z.string().min(1).max(5), count: z.number().int().positive() }).strict();
    const out = toDraft04(z.toJSONSchema(schema, { io: 'input' }));
    expect(out.properties).toMatchObject({
      name: { type: JsonSchemaType.STRING, minLength: 1, maxLength: 5 },
      count: { type: JsonSchemaType.INTEGER, minimum: 0, exclusiveMinimum: true },
    });
  });
});
