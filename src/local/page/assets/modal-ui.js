/* global document */
// Modals (the user's open views, from the state) and a button's confirm dialog.
import { mount } from './dom.js';
import { postJson } from './api.js';
import { $, app, renderCtx, toast } from './core.js';
import { missingRequired, modalValues } from './forms.js';
import { renderConfirm, renderModal } from './slack-view.js';

/** A button's confirm dialog: resolves true on OK, false on Cancel or Escape. */
export function askConfirm(confirm) {
  return new Promise((resolve) => {
    const layer = $('confirm-layer');
    const done = (ok) => {
      layer.replaceChildren();
      app.confirmCancel = null;
      resolve(ok);
    };
    app.confirmCancel = () => done(false);
    mount(layer, renderConfirm(confirm, renderCtx(), { onOk: () => done(true), onCancel: () => done(false) }));
    layer.querySelector('[data-testid="confirm-ok"]')?.focus();
  });
}

export function topView() {
  const top = app.state?.views?.at(-1);
  return top ? { ...top.view, id: top.id ?? top.view?.id } : null;
}

function typedValues() {
  const values = {};
  for (const el of document.querySelectorAll('#modal-layer [data-block-id][data-action-id]')) {
    if (el.tagName !== 'INPUT' && el.tagName !== 'TEXTAREA') continue;
    (values[el.dataset.blockId] ??= {})[el.dataset.actionId] = el.value;
  }
  return values;
}

/** The user's top open view as a modal; re-rendered only when it changed, keeping what was typed. */
export function updateModal(force = false) {
  const layer = $('modal-layer');
  const view = topView();
  if (!view) {
    app.modal = { key: '', viewId: null, errors: {}, formError: null };
    return layer.replaceChildren();
  }
  const key = JSON.stringify(view);
  if (key === app.modal.key && !force) return;
  const same = app.modal.viewId === view.id;
  const values = same ? typedValues() : {};
  if (!same) Object.assign(app.modal, { errors: {}, formError: null });
  Object.assign(app.modal, { key, viewId: view.id });
  mount(layer, renderModal(view, { ...renderCtx(), errors: app.modal.errors, formError: app.modal.formError, values }, { onSubmit: submitModal, onClose: closeModal }));
  if (!same) layer.querySelector('input, textarea')?.focus();
}

async function submitModal(view) {
  const form = document.querySelector('#modal-layer [data-testid="modal"]');
  const missing = missingRequired(form);
  if (Object.keys(missing).length > 0) {
    Object.assign(app.modal, { errors: missing, formError: null });
    return updateModal(true);
  }
  const button = form.querySelector('[data-testid="modal-submit"]');
  if (button) button.disabled = true;
  const res = await postJson('/_/slack/view_submit', { user: app.user, view_id: view.id, values: modalValues(form) });
  if (button) button.disabled = false;
  Object.assign(app.modal, res.ok ? { errors: {}, formError: null } : { errors: res.errors ?? {}, formError: res.errors ? null : res.error ?? 'failed' });
  if (!res.ok) updateModal(true);
  app.refresh();
}

export async function closeModal(view) {
  const res = await postJson('/_/slack/view_close', { user: app.user, view_id: view.id });
  if (!res.ok) toast(`Close: ${res.error ?? 'failed'}`);
  app.refresh();
}
