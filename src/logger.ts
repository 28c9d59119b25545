import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

// Token shapes of the services Baton talks to. Known secret values are redacted as well;
// the patterns catch tokens Baton never saw in its config (a user pasting one into a ticket).
const TOKEN_PATTERNS: RegExp[] = [
  /xox[abposr]-[A-Za-z0-9-]{8,}/g,
  /xapp-[A-Za-z0-9-]{8,}/g,
  /gh[pousr]_[A-Za-z0-9]{20,}/g,
  /github_pat_[A-Za-z0-9_]{20,}/g,
  /sk-ant-[A-Za-z0-9_-]{8,}/g,
  /lin_(api|oauth)_[A-Za-z0-9]{8,}/g,
  /(Bearer|Basic|token) [A-Za-z0-9._~+/=-]{12,}/g,
  /(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/g,
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Returns a function that blanks every known secret and token-shaped string in `text`. */
export function createRedactor(secrets: string[]): (text: string) => string {
  const known = secrets.length
    ? new RegExp(
        [...secrets]
          .sort((a, b) => b.length - a.length)
          .map(escapeRegExp)
          .join('|'),
        'g',
      )
    : undefined;
  return (text) => {
    let out = known ? text.replace(known, '[REDACTED]') : text;
    for (const pattern of TOKEN_PATTERNS) {
      out = out.replace(pattern, (match, group1: string | undefined) =>
        group1 && match.startsWith('postgres') ? `${group1}[REDACTED]@` : '[REDACTED]',
      );
    }
    return out;
  };
}

export interface LoggerOptions {
  level: string;
  pretty: boolean;
  secrets: string[];
  /** Tests pass a stream to read what was written. */
  destination?: DestinationStream;
}

/** Structured JSON logs; redaction runs on the serialized line, so no field or message escapes it. */
export function createLogger(options: LoggerOptions): Logger {
  const redact = createRedactor(options.secrets);
  const base = {
    level: options.level,
    base: { service: 'baton' },
    hooks: { streamWrite: redact },
  };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } });
  }
  return pino(base);
}
