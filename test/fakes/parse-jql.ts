/*
 * The JQL subset FakeJira evaluates:
 *
 *   query   := [clause (AND clause)*] [ORDER BY sortKey (, sortKey)*]
 *   clause  := ("project" | "labels" | "status" | "statusCategory") ("=" | "!=") value
 *   value   := bareword | "double quoted" | 'single quoted'
 *   sortKey := ("created" | "updated" | "key") [ASC | DESC]
 *
 * Keywords and field names are case-insensitive, values are not. Everything else (OR, NOT, IN,
 * ~, functions, other fields, parentheses) is refused with a JqlError so a test never passes
 * on a query the fake quietly misread. The caller turns JqlError into Jira's 400.
 */

export type JqlField = 'project' | 'labels' | 'status' | 'statuscategory';
export type JqlSortField = 'created' | 'updated' | 'key';

export interface JqlQuery {
  clauses: { field: JqlField; operator: '=' | '!='; value: string }[];
  orderBy: { field: JqlSortField; direction: 'ASC' | 'DESC' }[];
}

export class JqlError extends Error {}

const FIELDS: readonly string[] = ['project', 'labels', 'status', 'statuscategory'];
const SORT_FIELDS: readonly string[] = ['created', 'updated', 'key'];

interface Token {
  text: string;
  quoted: boolean;
  at: number;
}

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(!=|>=|<=|!~|[=~<>(),])|([^\s"'=!~<>(),]+))/y;
  let at = 0;
  while (jql.slice(at).trim()) {
    pattern.lastIndex = at;
    const match = pattern.exec(jql);
    if (!match) {
      const rest = jql.slice(at);
      throw new JqlError(`Error in the JQL Query: unterminated quote at character ${at + rest.length - rest.trimStart().length + 1}.`);
    }
    at = pattern.lastIndex;
    const quoted = match[1] ?? match[2];
    const start = match.index + match[0].length - match[0].trimStart().length;
    if (quoted !== undefined) tokens.push({ text: quoted.replace(/\\(.)/g, '$1'), quoted: true, at: start });
    else tokens.push({ text: (match[3] ?? match[4])!, quoted: false, at: start });
  }
  return tokens;
}

const keyword = (token: Token | undefined, word: string): boolean =>
  token !== undefined && !token.quoted && token.text.toUpperCase() === word;

function unsupported(token: Token, what: string): JqlError {
  return new JqlError(
    `Error in the JQL Query: FakeJira does not support ${what} '${token.text}' (character ${token.at + 1}). ` +
      'Supported: project|labels|status = value joined by AND, ORDER BY created|updated|key.',
  );
}

export function parseJql(jql: string): JqlQuery {
  const tokens = tokenize(jql);
  const query: JqlQuery = { clauses: [], orderBy: [] };
  let i = 0;
  const next = (): Token | undefined => tokens[i++];

  while (i < tokens.length && !keyword(tokens[i], 'ORDER')) {
    if (query.clauses.length > 0) {
      const joiner = next()!;
      if (!keyword(joiner, 'AND')) throw unsupported(joiner, 'the keyword');
    }
    const field = next();
    const operator = next();
    const value = next();
    if (!field) throw new JqlError('Error in the JQL Query: Expecting a field name after AND.');
    if (field.quoted || !FIELDS.includes(field.text.toLowerCase())) throw unsupported(field, 'the field');
    if (!operator) throw new JqlError(`Error in the JQL Query: Expecting operator after '${field.text}'.`);
    if ((operator.text !== '=' && operator.text !== '!=') || operator.quoted) throw unsupported(operator, 'the operator');
    if (!value) throw new JqlError(`Error in the JQL Query: Expecting a value after '${field.text} ='.`);
    if (!value.quoted && /^[(),]$/.test(value.text)) throw unsupported(value, 'the value');
    query.clauses.push({ field: field.text.toLowerCase() as JqlField, operator: operator.text as '=' | '!=', value: value.text });
  }

  if (i < tokens.length) {
    next();
    if (!keyword(next(), 'BY')) throw new JqlError("Error in the JQL Query: Expecting 'BY' after 'ORDER'.");
    do {
      const field = next();
      if (!field || field.quoted || !SORT_FIELDS.includes(field.text.toLowerCase())) {
        throw field ? unsupported(field, 'sorting by') : new JqlError('Error in the JQL Query: Expecting a field after ORDER BY.');
      }
      const direction = keyword(tokens[i], 'ASC') || keyword(tokens[i], 'DESC') ? next()!.text.toUpperCase() : 'ASC';
      query.orderBy.push({ field: field.text.toLowerCase() as JqlSortField, direction: direction as 'ASC' | 'DESC' });
    } while (tokens[i]?.text === ',' && next());
    if (i < tokens.length) throw unsupported(tokens[i]!, 'the trailing token');
  }
  return query;
}
