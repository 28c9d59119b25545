import { str, type SlackArgs } from './slack-call.ts';

type Result = Record<string, unknown>;

/** Modal state behind `views.open` / `views.update`, including Slack's hash check against races. */
export class SlackViews {
  private readonly views = new Map<string, Result>();
  private counter = 0;

  constructor(private readonly ids: { teamId: string; appId: string; botId: string }) {}

  open(a: SlackArgs): Result {
    if (!str(a.trigger_id) && !str(a.interactivity_pointer)) return { ok: false, error: 'invalid_arguments' };
    if (!isObject(a.view)) return { ok: false, error: 'invalid_arguments' };
    const id = this.nextId();
    const view = this.build(a.view, { id, root_view_id: id, previous_view_id: null, state: { values: {} } });
    this.views.set(id, view);
    return { ok: true, view: structuredClone(view) };
  }

  update(a: SlackArgs): Result {
    if (!isObject(a.view)) return { ok: false, error: 'invalid_arguments' };
    const externalId = str(a.external_id);
    const byExternalId = (v: Result): boolean => externalId !== undefined && v.external_id === externalId;
    const current = this.views.get(str(a.view_id) ?? '') ?? [...this.views.values()].find(byExternalId);
    if (!current) return { ok: false, error: 'not_found' };
    if (str(a.hash) && a.hash !== current.hash) return { ok: false, error: 'hash_conflict' };
    const { id, root_view_id, previous_view_id, state } = current;
    const view = this.build(a.view, { id, root_view_id, previous_view_id, state });
    this.views.set(String(id), view);
    return { ok: true, view: structuredClone(view) };
  }

  list(): Result[] {
    return structuredClone([...this.views.values()]);
  }

  clear(): void {
    this.views.clear();
  }

  private build(submitted: Result, identity: Result): Result {
    return {
      type: 'modal',
      blocks: [],
      private_metadata: '',
      callback_id: '',
      external_id: '',
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      ...submitted,
      ...identity,
      team_id: this.ids.teamId,
      app_id: this.ids.appId,
      app_installed_team_id: this.ids.teamId,
      bot_id: this.ids.botId,
      // A fresh hash per write is what makes a stale `hash` argument fail, as it does on Slack.
      hash: `${Date.now()}.${(this.counter += 1)}`,
    };
  }

  private nextId(): string {
    this.counter += 1;
    return `V0FAKE${String(this.counter).padStart(5, '0')}`;
  }
}

function isObject(value: unknown): value is Result {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
