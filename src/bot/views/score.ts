/**
 * A consensus or component score as every view shows it: 0.00 to 1.00, two decimals (the scale of
 * baton.yml's threshold, "above 0.90"). Cut, never rounded up, so 0.899 never reads as 0.90.
 */
export function formatScore(score: number): string {
  if (!Number.isFinite(score)) return '–';
  const clamped = Math.min(1, Math.max(0, score));
  // The epsilon keeps 0.93 (0.9299999… in binary) from showing as 0.92.
  return (Math.floor(clamped * 100 + 1e-9) / 100).toFixed(2);
}
