import type Anthropic from '@anthropic-ai/sdk';

/**
 * Structured output (`output_config.format`) as the API treats it. The schema is compiled into a grammar
 * that constrains decoding: types, `required`, `additionalProperties: false`, `enum`, `const`, `anyOf`,
 * `allOf`, `items` and `$ref` hold in every answer, while bounds the grammar cannot express (lengths,
 * minimum and maximum, item counts past 1) are refused in the request. The SDK's `zodOutputFormat`
 * moves those bounds into the descriptions for that reason, so only a client-side check catches them.
 */

// Keywords the grammar compiler refuses; the SDK's transformJSONSchema strips exactly these from a zod schema.
const UNSUPPORTED = [
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'pattern',
  'maxItems', 'uniqueItems', 'contains', 'not', 'if', 'then', 'else', 'patternProperties', 'propertyNames',
  'minProperties', 'maxProperties',
];

type Schema = Record<string, unknown>;
const isObject = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The 400 message for an `output_config.format` the API would refuse, or undefined. */
export function checkOutputFormat(params: Anthropic.MessageCreateParams): string | undefined {
  const format = params.output_config?.format as unknown;
  if (format === undefined || format === null) return undefined;
  if (!isObject(format)) return 'output_config.format: Input should be a valid dictionary';
  if (format.type !== 'json_schema') return "output_config.format.type: Input should be 'json_schema'";
  if (!isObject(format.schema)) return 'output_config.format.schema: Field required';
  return checkSchemaNode(format.schema, 'output_config.format.schema');
}

function checkSchemaNode(node: unknown, path: string): string | undefined {
  if (!isObject(node)) return undefined;
  const bad = UNSUPPORTED.find((keyword) => keyword in node);
  if (bad) return `${path}: the \`${bad}\` keyword is not supported in structured output schemas`;
  if (typeof node.minItems === 'number' && node.minItems > 1) return `${path}: minItems values other than 0 or 1 are not supported`;
  if (node.type === 'object' && node.additionalProperties !== false) {
    return `${path}: For 'object' type, 'additionalProperties' must be explicitly set to false`;
  }
  const children: [string, unknown][] = [
    ...Object.entries(isObject(node.properties) ? node.properties : {}).map(([k, v]): [string, unknown] => [`${path}.properties.${k}`, v]),
    ...Object.entries(isObject(node.$defs) ? node.$defs : {}).map(([k, v]): [string, unknown] => [`${path}.$defs.${k}`, v]),
    ...(['anyOf', 'allOf'] as const).flatMap((key) =>
      (Array.isArray(node[key]) ? (node[key] as unknown[]) : []).map((v, i): [string, unknown] => [`${path}.${key}.${i}`, v])),
    ...(node.items !== undefined ? [[`${path}.items`, node.items] as [string, unknown]] : []),
  ];
  for (const [childPath, child] of children) {
    const problem = checkSchemaNode(child, childPath);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Where `value` breaks what the grammar of `schema` enforces (`$.findings.0.severity: …`), or undefined
 * when constrained decoding could have produced it. Bounds outside the grammar are not checked: a model
 * can break them, which is why a client validates the answer again.
 */
export function grammarViolation(schema: Schema, value: unknown): string | undefined {
  return violation(schema, value, '$', schema);
}

function violation(schema: Schema, value: unknown, path: string, root: Schema): string | undefined {
  if (typeof schema.$ref === 'string') {
    const name = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(schema.$ref)?.[1];
    const defs = (isObject(root.$defs) ? root.$defs : isObject(root.definitions) ? root.definitions : {}) as Record<string, unknown>;
    const target = name !== undefined ? defs[name] : undefined;
    return isObject(target) ? violation(target, value, path, root) : `${path}: unresolvable $ref ${schema.$ref}`;
  }
  if (Array.isArray(schema.anyOf)) {
    const problems = (schema.anyOf as unknown[]).map((branch) => (isObject(branch) ? violation(branch, value, path, root) : undefined));
    if (problems.every((p) => p !== undefined)) return `${path}: matches none of the anyOf branches (${problems.join('; ')})`;
  }
  if (Array.isArray(schema.allOf)) {
    for (const part of schema.allOf as unknown[]) {
      const problem = isObject(part) ? violation(part, value, path, root) : undefined;
      if (problem) return problem;
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value as never)) return `${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`;
  if ('const' in schema && schema.const !== value) return `${path}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`;
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
  if (types.length > 0 && !types.some((type) => hasType(value, type))) return `${path}: expected ${types.join(' or ')}, got ${JSON.stringify(value)}`;

  if (isObject(value) && isObject(schema.properties)) {
    const properties = schema.properties;
    for (const key of Array.isArray(schema.required) ? (schema.required as string[]) : []) {
      if (!(key in value)) return `${path}: required property ${key} is missing`;
    }
    for (const [key, child] of Object.entries(value)) {
      const sub = properties[key];
      if (sub === undefined) {
        if (schema.additionalProperties === false) return `${path}: property ${key} is not in the schema`;
        continue;
      }
      const problem = isObject(sub) ? violation(sub, child, `${path}.${key}`, root) : undefined;
      if (problem) return problem;
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) return `${path}: fewer than ${schema.minItems} items`;
    if (isObject(schema.items)) {
      for (const [i, item] of value.entries()) {
        const problem = violation(schema.items, item, `${path}.${i}`, root);
        if (problem) return problem;
      }
    }
  }
  return undefined;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object': return isObject(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'integer': return Number.isInteger(value);
    case 'boolean': return typeof value === 'boolean';
    case 'null': return value === null;
    default: return false;
  }
}
