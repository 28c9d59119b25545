/**
 * Files added to the calc demo repository (test/support/demo-repo.ts) so that the scripted agent
 * reads files of the sizes a real fix reads (a 150-line module, its test, a design note), not only
 * calc.js's 16 lines. Nothing here touches `range`, so the demo's bug, fix and tests are unchanged
 * and the suite still passes on main. Deterministic, so every run sends the same bytes.
 */

function moneyModule(): string {
  const lines = [
    '// Money helpers: amounts are integers in minor units (cents); rates are plain numbers.',
    '',
    'const CURRENCIES = {',
    ...['EUR', 'USD', 'GBP', 'JPY', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK'].map((c, i) => `  ${c}: { code: '${c}', minorUnits: ${c === 'JPY' ? 0 : 2}, order: ${i} },`),
    '};',
    '',
  ];
  for (let n = 1; n <= 12; n++) {
    lines.push(
      `/** Applies discount tier ${n} (${n * 5} %) to an amount in minor units, rounding half away from zero. */`,
      `export function discountTier${n}(amount) {`,
      `  if (!Number.isInteger(amount)) throw new TypeError('amount must be an integer number of minor units');`,
      `  const discounted = amount * (1 - ${n * 5} / 100);`,
      '  return Math.sign(discounted) * Math.round(Math.abs(discounted));',
      '}',
      '',
    );
  }
  lines.push(
    '/** Formats minor units for people: formatAmount(1234, "EUR") is "12.34 EUR". */',
    'export function formatAmount(amount, code) {',
    '  const currency = CURRENCIES[code];',
    '  if (!currency) throw new RangeError(`unknown currency ${code}`);',
    '  const scale = 10 ** currency.minorUnits;',
    '  const whole = Math.trunc(amount / scale);',
    '  const minor = Math.abs(amount % scale).toString().padStart(currency.minorUnits, "0");',
    '  return currency.minorUnits === 0 ? `${whole} ${code}` : `${whole}.${minor} ${code}`;',
    '}',
    '',
  );
  return lines.join('\n');
}

function moneyTest(): string {
  const lines = [
    "import { test } from 'node:test';",
    "import assert from 'node:assert/strict';",
    `import { formatAmount, ${Array.from({ length: 12 }, (_, i) => `discountTier${i + 1}`).join(', ')} } from '../src/money.js';`,
    '',
  ];
  for (let n = 1; n <= 12; n++) {
    const expected = Math.round(10_000 * (1 - (n * 5) / 100));
    lines.push(`test('discount tier ${n} takes ${n * 5} % off', () => {`, `  assert.equal(discountTier${n}(10000), ${expected});`, '});', '');
  }
  lines.push("test('formatAmount writes minor units', () => {", "  assert.equal(formatAmount(1234, 'EUR'), '12.34 EUR');", "  assert.equal(formatAmount(500, 'JPY'), '500 JPY');", '});', '');
  return lines.join('\n');
}

function architectureNote(): string {
  const sections = ['Modules', 'Rounding', 'Ranges', 'Currencies', 'Testing', 'Releases'];
  const lines = ['# calc: how it is put together', ''];
  for (const section of sections) {
    lines.push(`## ${section}`, '');
    for (let p = 1; p <= 3; p++) {
      lines.push(
        `${section}, point ${p}: every helper is a pure function over integers, documented where it is defined, ` +
          'with its edge cases written down next to the code and covered by a test in test/. Ranges include both ends; ' +
          'amounts are minor units; nothing here reads the clock, the network or the environment.',
        '',
      );
    }
  }
  return lines.join('\n');
}

export const AGENT_REPO_FILES: Record<string, string> = {
  'src/money.js': moneyModule(),
  'test/money.test.js': moneyTest(),
  'docs/ARCHITECTURE.md': architectureNote(),
  'CHANGELOG.md': ['# Changelog', '', ...Array.from({ length: 20 }, (_, i) => `## 1.0.${20 - i}\n\n- Fixed rounding in discount tier ${(i % 12) + 1}.\n`)].join('\n'),
};
