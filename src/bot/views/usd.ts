/** Dollars as people read them on a budget: cents, and "<$0.01" rather than "$0.00" for a cheap call. */
export function usd(amount: number): string {
  if (amount > 0 && amount < 0.005) return '<$0.01';
  return `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
