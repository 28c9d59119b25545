export interface PushedRef {
  /** `' '` fast-forward, `+` forced, `-` deleted, `*` new, `!` rejected, `=` up to date. */
  flag: string;
  from: string;
  to: string;
  /** `[new branch]`, `[rejected] (stale info)`, `abc123..def456` and the like. */
  summary: string;
}

// `git push --porcelain` prints `To <url>`, then one `<flag>\t<from>:<to>\t<summary>` line per ref, then `Done`.
const STATUS_LINE = /^([ +\-*!=])\t([^\t]*)\t(.*)$/;

/** Every ref a `git push --porcelain` reported on, whatever happened to it. */
export function parsePushPorcelain(stdout: string): PushedRef[] {
  const refs: PushedRef[] = [];
  for (const line of stdout.split('\n')) {
    const match = STATUS_LINE.exec(line);
    if (!match) continue;
    const [, flag, pair, summary] = match as unknown as [string, string, string, string];
    const colon = pair.lastIndexOf(':');
    refs.push({ flag, from: pair.slice(0, colon), to: pair.slice(colon + 1), summary });
  }
  return refs;
}
