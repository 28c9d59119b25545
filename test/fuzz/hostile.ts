import fc from 'fast-check';

/*
 * Arbitraries for untrusted input: what an outsider (or a confused integration, or the agent) can
 * put in a webhook body, a Slack payload, a command or a diff. Realistic shapes come from mutating
 * real fixtures (mutated()); the rest is random JSON and strings with the characters that break
 * parsers: prototype names, unicode, null bytes, huge and deeply nested values.
 */

/** Names every plain object inherits: looked up in a `{}` table they find Object.prototype members. */
export const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', 'prototype', 'length'] as const;

const HUGE = 'x'.repeat(200_000);
const SPECIAL_STRINGS = [
  '',
  ' ',
  '\0',
  'a\0b',
  '\u202e\u0000\uffff',
  '\ud800', // a lone surrogate: valid in a JS string, not in UTF-8
  '😀🏳️‍🌈',
  'ENG-123',
  'eng-0',
  '<!channel>',
  '<@U0FAKEUSER>',
  'javascript:alert(1)',
  '${process.exit()}',
  '%00%2F..%2F',
  '../../etc/passwd',
  '\r\n\r\n',
  HUGE,
  `ENG-1 ${HUGE}`,
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\0', '-', ' ', '\n', 'A', '1', '/', '"', '\\', '<', '>', '*', '_', '`'), maxLength: 60 }) },
);

/** Without the 200 kB strings, for parsers whose cost grows faster than the input (see markdown-to-adf.test.ts). */
export const shortHostileString: fc.Arbitrary<string> = hostileString.filter((s) => s.length <= 1_000);

export const hostileKey: fc.Arbitrary<string> = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ unit: 'binary', maxLength: 12 }));

/** A value `depth` levels deep, as JSON.parse builds it (arrays or objects). */
export function deeplyNested(depth: number, objects: boolean): unknown {
  const text = objects ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}1${']'.repeat(depth)}`;
  return JSON.parse(text);
}

/** Any JSON value, round-tripped so it is exactly what JSON.parse hands a parser (own `__proto__` keys included). */
export const randomJson: fc.Arbitrary<unknown> = fc
  .jsonValue({ maxDepth: 4, stringUnit: 'binary' })
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2) },
  { weight: 2, arbitrary: fc.constantFrom({}, [], [null], { __proto__: null }) },
  { weight: 2, arbitrary: randomJson },
  { weight: 1, arbitrary: fc.constantFrom(1_000, 3_000).chain((d) => fc.boolean().map((o) => deeplyNested(d, o))) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES).map((k) => JSON.parse(`{${JSON.stringify(k)}:{"key":"X-1"}}`) as unknown) },
);

type Json = unknown;
type Step = { kind: 'drop' | 'set' | 'add' | 'retype'; at: number; key: string; value: Json };

const step: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom('drop', 'set', 'add', 'retype'),
  at: fc.nat(),
  key: hostileKey,
  value: hostileValue,
});

/** Every object and array inside `root`, the root first. */
function containers(root: Json): (Record<string, Json> | Json[])[] {
  const out: (Record<string, Json> | Json[])[] = [];
  const walk = (v: Json, depth: number): void => {
    if (typeof v !== 'object' || v === null || depth > 60) return;
    out.push(v as Record<string, Json>);
    for (const child of Object.values(v)) walk(child, depth + 1);
  };
  walk(root, 0);
  return out;
}

// Own keys only, even for `__proto__`: assignment would set the prototype instead.
// The value is copied, so a later step never edits a constant the arbitraries share between runs.
function put(target: Record<string, Json> | Json[], key: string | number, value: Json): void {
  Object.defineProperty(target, key, { value: copy(value), enumerable: true, writable: true, configurable: true });
}

function apply(root: Json, s: Step): void {
  const all = containers(root);
  if (all.length === 0) return;
  const target = all[s.at % all.length]!;
  const keys = Object.keys(target);
  const existing = keys.length ? keys[s.at % keys.length]! : undefined;
  if (s.kind === 'drop' && existing !== undefined) {
    if (Array.isArray(target)) target.splice(Number(existing), 1);
    else delete target[existing];
  } else if (s.kind === 'add' && !Array.isArray(target)) put(target, s.key, s.value);
  else if (s.kind === 'retype' && existing !== undefined) {
    // The same field with another JSON type: a string where a number was, an object where a string was…
    const old = (target as Record<string, Json>)[existing];
    put(target, existing, typeof old === 'string' ? [old] : typeof old === 'object' && old !== null ? JSON.stringify(old).slice(0, 50) : String(old));
  } else if (existing !== undefined) put(target, existing, s.value);
}

const copy = (value: Json): Json => JSON.parse(JSON.stringify(value) ?? 'null') as Json;

/** A fixture with 1–5 mutations (drop, set, add or retype a field anywhere), as JSON.parse would give it. */
export function mutated(fixture: Json): fc.Arbitrary<unknown> {
  const text = JSON.stringify(fixture);
  return fc.array(step, { minLength: 1, maxLength: 5 }).map((steps) => {
    let root = JSON.parse(text) as Json;
    for (const s of steps) {
      if (s.kind === 'set' && s.at % 17 === 0) root = copy(s.value); // now and then the whole body is something else
      else apply(root, s);
    }
    return copy(root);
  });
}
