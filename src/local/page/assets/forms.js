/* global FormData */
// Re-rendering from fresh data must not eat what someone is typing: fields the user changed
// (value differs from the rendered default) and the focus are carried across, by data-testid.

function fields(container) {
  return [...container.querySelectorAll('input[data-testid], textarea[data-testid]')];
}

export function keepTyping(container, rerender) {
  const typed = new Map();
  for (const el of fields(container)) if (el.value !== el.defaultValue) typed.set(el.dataset.testid, el.value);
  const active = container.ownerDocument.activeElement;
  const focused = active && container.contains(active) ? active.dataset?.testid : undefined;
  const selection = focused && typeof active.selectionStart === 'number' ? [active.selectionStart, active.selectionEnd] : null;
  rerender();
  for (const el of fields(container)) {
    if (typed.has(el.dataset.testid)) el.value = typed.get(el.dataset.testid);
    if (focused && el.dataset.testid === focused) {
      el.focus();
      if (selection) el.setSelectionRange(selection[0], selection[1]);
    }
  }
}

/** A form's named fields as strings. */
export function formFields(form) {
  return Object.fromEntries([...new FormData(form).entries()].map(([k, v]) => [k, String(v)]));
}

/** A modal's inputs as view_submission values: block_id → action_id → plain_text_input. */
export function modalValues(modal) {
  const values = {};
  for (const el of modal.querySelectorAll('[data-block-id][data-action-id]')) {
    if (el.tagName !== 'INPUT' && el.tagName !== 'TEXTAREA') continue;
    const block = el.dataset.blockId;
    values[block] ??= {};
    // Slack sends an empty input's value as null.
    values[block][el.dataset.actionId] = { type: 'plain_text_input', value: el.value === '' ? null : el.value };
  }
  return values;
}

/** Required inputs left empty, as view errors (Slack's client refuses to submit them too). */
export function missingRequired(modal) {
  const errors = {};
  for (const el of modal.querySelectorAll('[data-block-id][data-action-id][required]')) {
    if (el.value === '') errors[el.dataset.blockId] = 'Please fill out this field.';
  }
  return errors;
}
