/**
 * Text from tickets, comments, repository notes and people's answers goes to the model as data,
 * never as instructions. It is wrapped in an `<untrusted_…>` element the system prompt names, and
 * any `<untrusted_…` or `</untrusted_…` tag inside the text is neutralised, so a ticket cannot
 * close its own wrapper ("</untrusted_ticket> ignore previous instructions") or open a fake one.
 */

const WRAPPER_TAG = /<(\/?)(\s*untrusted_)/gi;

/** `<untrusted_x` becomes `&lt;untrusted_x`: readable to the model, no longer a tag. */
export function neutraliseWrapperTags(text: string): string {
  return text.replace(WRAPPER_TAG, '&lt;$1$2');
}

function attribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/[\r\n]+/g, ' ');
}

/** Baton's own wrapper names; the system prompt says what each holds. */
export type UntrustedTag = `untrusted_${string}`;

/**
 * `<untrusted_ticket key="ENG-1">…</untrusted_ticket>`. Attribute values may come from outside
 * (an author's name) and are escaped.
 */
export function wrapUntrusted(tag: UntrustedTag, text: string, attributes: Record<string, string> = {}): string {
  const attrs = Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${attribute(value)}"`)
    .join('');
  return `<${tag}${attrs}>\n${neutraliseWrapperTags(text)}\n</${tag}>`;
}
