/**
 * Where an `old_str` that is not in the file most likely meant, so the refusal can show the model
 * the real text instead of leaving it to guess again. Tried in order: the same lines with other
 * indentation or trailing spaces; then the window of lines most like it (bigram similarity).
 */
export interface ClosestText {
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  kind: 'whitespace' | 'similar';
}

// Windows × lines compared beyond this fall back to comparing first lines only, to stay fast on big files.
const MAX_COMPARISONS = 200_000;
const MIN_SIMILARITY = 0.5;

export function closestText(fileLines: string[], oldStr: string): ClosestText | undefined {
  const wanted = oldStr.replace(/\r\n/g, '\n').replace(/^\n+|\n+$/g, '').split('\n');
  if (wanted.length === 0 || fileLines.length === 0) return undefined;
  const k = Math.min(wanted.length, fileLines.length);

  const squash = (line: string) => line.trim().replace(/\s+/g, ' ');
  const wantedSquashed = wanted.map(squash);
  for (let i = 0; i + wanted.length <= fileLines.length; i++) {
    if (wantedSquashed.every((line, j) => squash(fileLines[i + j]!) === line)) {
      return { startLine: i + 1, endLine: i + wanted.length, kind: 'whitespace' };
    }
  }

  const fileGrams = fileLines.map((line) => bigrams(squash(line)));
  const wantedGrams = wantedSquashed.map(bigrams);
  const compared = (fileLines.length - k + 1) * k > MAX_COMPARISONS ? 1 : k;
  let best = { score: 0, start: -1 };
  for (let i = 0; i + k <= fileLines.length; i++) {
    let score = 0;
    for (let j = 0; j < compared; j++) score += dice(fileGrams[i + j]!, wantedGrams[j]!);
    score /= compared;
    if (score > best.score) best = { score, start: i };
  }
  if (best.start < 0 || best.score < MIN_SIMILARITY) return undefined;
  return { startLine: best.start + 1, endLine: best.start + k, kind: 'similar' };
}

interface Grams {
  counts: Map<string, number>;
  size: number;
}

function bigrams(text: string): Grams {
  const counts = new Map<string, number>();
  for (let i = 0; i < text.length - 1; i++) {
    const gram = text.slice(i, i + 2);
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return { counts, size: Math.max(0, text.length - 1) };
}

// Sørensen–Dice over bigram multisets: 1 for equal lines, 0 for nothing in common; two blank lines are equal.
function dice(a: Grams, b: Grams): number {
  if (a.size === 0 && b.size === 0) return 1;
  let common = 0;
  for (const [gram, n] of a.counts) common += Math.min(n, b.counts.get(gram) ?? 0);
  return (2 * common) / (a.size + b.size);
}
