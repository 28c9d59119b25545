/**
 * Path globs as baton.yml writes them: `**` is any number of whole path segments (none included),
 * `*` any run of characters within one segment, `?` one character other than `/`. Patterns are
 * anchored at the repository root (`Jenkinsfile` is the root one; `**\/Dockerfile` is any). Node 20's
 * path.matchesGlob is still experimental, hence this small matcher.
 */
export function globToRegExp(pattern: string): RegExp {
  const segments = pattern.split('/');
  let source = '';
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '**') {
      source += last ? '.*' : '(?:[^/]+/)*';
      return;
    }
    for (const char of segment) {
      if (char === '*') source += '[^/]*';
      else if (char === '?') source += '[^/]';
      else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    if (!last) source += '/';
  });
  return new RegExp(`^${source}$`);
}

/** A predicate true for paths any of `patterns` matches; the patterns are compiled once. */
export function globMatcher(patterns: readonly string[]): (path: string) => boolean {
  const compiled = patterns.map(globToRegExp);
  return (path) => compiled.some((re) => re.test(path));
}
