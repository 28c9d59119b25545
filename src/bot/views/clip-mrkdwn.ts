import { escapeMrkdwn } from './blocks.ts';

function unescapedLength(escaped: string): number {
  return escaped.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/@\u200B/g, '@').length;
}

/**
 * Untrusted text escaped for mrkdwn and cut so the *escaped* text fits `max` characters (escaping
 * can grow text fivefold: `&` becomes `&amp;`). Never cuts inside an entity or a surrogate pair.
 * `omitted` counts the original characters left out.
 */
export function clipMrkdwn(text: string, max: number): { text: string; omitted: number } {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return { text: escaped, omitted: 0 };
  let end = max;
  const amp = escaped.lastIndexOf('&', end - 1);
  if (amp >= 0 && amp > end - 5 && !escaped.slice(amp, end).includes(';')) end = amp;
  const last = escaped.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  const kept = escaped.slice(0, end);
  return { text: kept, omitted: text.length - unescapedLength(kept) };
}
