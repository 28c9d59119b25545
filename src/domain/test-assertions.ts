/**
 * Recognises assertion lines and test-disabling markers in test code, and ranks how much an
 * assertion pins down, so the outcome gates can tell a kept assertion from a weakened one. This is
 * a line-level heuristic across common frameworks (node:assert, Jest/Vitest, Chai, AVA, tap, pytest,
 * unittest, Go testing and testify, Rust, JUnit, RSpec, PHPUnit), not a parser.
 */

/** 0: always true; 1: truthiness, existence or a negation; 2: loose comparison; 3: exact comparison. */
export type AssertionStrength = 0 | 1 | 2 | 3;

const ASSERTION = [
  /\bassert\w*(?:\.\w+)*\s*\(/, // assert(…), assert.equal(…), assertEquals(…), assert_called_with(…)
  /\bassert\w*!\s*\(/, // Rust assert!, assert_eq!
  /^\s*assert\b/, // Python's assert statement
  /\bexpect\s*\(/, // Jest, Vitest, Chai, RSpec
  /^\s*\.(?:not\.)?(?:to[A-Z]\w*\s*\(|to\.)/, // a matcher continuing an expect(…) from the line above
  /\.should\b|\bshould\s*\./, // should.js, Chai should
  /\bt\.(?:is|not|true|false|truthy|falsy|ok|notOk|equal|equals|notEqual|strictEqual|notStrictEqual|deepEqual|notDeepEqual|same|notSame|strictSame|match|notMatch|regex|notRegex|like|throws|throwsAsync|rejects|resolves|doesNotThrow|notThrows|snapshot|has|hasStrict|pass|fail|error|assert)\s*\(/,
  /\bt\.(?:Error|Errorf|Fatal|Fatalf|Fail|FailNow)\s*\(/, // Go testing
  /\b(?:require|assert)\.[A-Z]\w*\s*\(/, // testify
  /->assert\w+\s*\(/, // PHPUnit
  /\bpytest\.raises\s*\(/,
];

const DISABLED = [
  /\b(?:it|test|describe|suite|context|specify|t)\.(?:skip|todo|only|fixme)\b/,
  /\b(?:xit|xtest|xdescribe|xcontext|xspecify|fit|ftest|fdescribe)\s*\(/,
  /\b(?:skip|todo|only)\s*:\s*(?:true|['"`])/, // node:test options: test('x', { skip: true }, …)
  /@pytest\.mark\.(?:skip|skipif|xfail)\b|@unittest\.(?:skip\w*|expectedFailure)\b|\bpytest\.skip\s*\(|\bself\.skipTest\s*\(/,
  /\bt\.Skip(?:f|Now)?\s*\(/, // Go
  /#\[ignore\]/, // Rust
  /@(?:Disabled|Ignore)\b/, // JUnit
  /\bpending\s*\(/, // RSpec, Jasmine
];

const COMMENT = /^\s*(?:\/\/|#(?!\[)|\/\*|\*|--|<!--)/;

/** A line that asserts something (commented-out lines do not). */
export function isAssertion(line: string): boolean {
  return !COMMENT.test(line) && ASSERTION.some((re) => re.test(line));
}

/** A line that skips, postpones or singles out tests: each silences tests that used to run. */
export function disablesTests(line: string): boolean {
  return !COMMENT.test(line) && DISABLED.some((re) => re.test(line));
}

const ALWAYS_TRUE = [
  /\bt\.pass\s*\(/,
  /\bexpect\s*\(\s*(?:true|1|!0)\s*\)\s*\.\s*(?:toBe\s*\(\s*(?:true|1)\s*\)|toBeTruthy\s*\(\s*\)|toBeDefined\s*\(\s*\))/,
  /\bassert(?:\.ok|\.equal|\.strictEqual)?\s*\(\s*(?:true|1)\s*(?:,\s*(?:true|1)\s*)?[,)]/,
  /^\s*assert\s+(?:True|1)\s*(?:,|$|#)/,
  /\bassertTrue\s*\(\s*(?:True|true)\s*\)/,
];

const NEGATED = /\.not\.|\bnot(?:Equal|StrictEqual|DeepEqual|DeepStrictEqual|Same|Ok|Match|Regex)\s*\(|\bt\.not\s*\(|\bassertNot\w*\s*\(|\bassert_ne!|\.to\.not\.|\.not_to\b|\bassert\s+.*(?:!=|\bis not\b|\bnot in\b)/;

const WEAK = [
  /\.toBeDefined\s*\(|\.toBeTruthy\s*\(|\.toBeFalsy\s*\(|\.toBeNull\s*\(|\.toBeUndefined\s*\(|\.toHaveBeenCalled\s*\(\s*\)/,
  /\.to\.(?:be\.)?(?:ok|exist|true|false|null|undefined)\b|\.should\.(?:be\.)?(?:ok|exist)\b|\bshould\.exist\s*\(/,
  /\bassertIsNotNone\s*\(|\bassertIsNone\s*\(|\bassertIsInstance\s*\(/,
];

// Truthiness checks are exact when what they test is itself an equality.
const TRUTHINESS = /\bassert(?:\.ok|!)?\s*\(|\bt\.(?:true|truthy|ok|false|falsy|notOk)\s*\(|\bassert(?:True|False)\s*\(|^\s*assert\s/;

const LOOSE = [
  /\bassert\.(?:equal|deepEqual)\s*\(/,
  /\.toBeCloseTo\s*\(|\.toMatch\s*\(|\.toContain(?:Equal)?\s*\(|\.toBeGreaterThan\w*\s*\(|\.toBeLessThan\w*\s*\(|\.toMatchObject\s*\(|\.toHaveProperty\s*\(|\.toBeInstanceOf\s*\(/,
  /\.toThrow\w*\s*\(\s*\)|\bassert\.(?:throws|rejects)\s*\(\s*[^,]*\)\s*;?\s*$/,
  /\bt\.(?:like|match|regex|has)\s*\(/,
  /\.to\.(?:include|contain|match|have)\b|\.to\.be\.(?:above|below|at|within|a|an|instanceOf)\b/,
  /\bassert(?:In|AlmostEqual|Greater\w*|Less\w*|Regex|CountEqual|Raises)\s*\(/,
];

export function assertionStrength(line: string): AssertionStrength {
  if (ALWAYS_TRUE.some((re) => re.test(line))) return 0;
  if (NEGATED.test(line)) return 1;
  if (WEAK.some((re) => re.test(line))) return 1;
  // expect(x) with no matcher after it asserts nothing.
  if (/\bexpect\s*\(/.test(line) && !/\bexpect\s*\(.*\)\s*\./.test(line)) return 1;
  if (TRUTHINESS.test(line)) return /===|==/.test(line) ? 3 : 1;
  if (LOOSE.some((re) => re.test(line))) return 2;
  // Unknown forms count as exact: replacing one with a known weak form is then flagged, and an
  // exact assertion swapped for an unknown one is given the benefit of the doubt.
  return 3;
}
