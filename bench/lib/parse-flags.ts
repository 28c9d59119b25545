/**
 * `--name value` or `--name=value` flags over defaults; a value's type follows its default.
 * Unknown flags and non-numbers where a number is expected fail with the list of known flags.
 */
export function parseFlags<T extends Record<string, number | string>>(argv: string[], defaults: T): T {
  const result: Record<string, number | string> = { ...defaults };
  const known = Object.keys(defaults)
    .map((k) => `--${k} (default ${String(defaults[k])})`)
    .join(', ');
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const match = /^--([\w-]+)(?:=(.*))?$/.exec(arg);
    const name = match?.[1];
    if (!name || !Object.hasOwn(defaults, name)) throw new Error(`unknown argument "${arg}"; flags: ${known}`);
    const raw = match[2] ?? argv[(i += 1)];
    if (raw === undefined) throw new Error(`--${name} needs a value`);
    if (typeof defaults[name] === 'number') {
      const value = Number(raw);
      if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number, got "${raw}"`);
      result[name] = value;
    } else {
      result[name] = raw;
    }
  }
  return result as T;
}
