import { isObject, str, type SlackArgs } from './slack-args.ts';

type Result = Record<string, unknown>;

/** Slack lets an app push two views onto a modal it opened: three deep at most. */
const MAX_STACK = 3;

/**
 * Modals and App Home views behind `views.open` / `push` / `update` / `publish`, with Slack's hash
 * check against races. A modal opened for a known person (the trigger said who) sits in that
 * person's stack; pushing adds to it, closing takes from it.
 */
export class SlackViews {
  private readonly views = new Map<string, Result>();
  private readonly stacks = new Map<string, string[]>();
  private readonly homes = new Map<string, Result>();
  private counter = 0;

  constructor(private readonly ids: { teamId: string; appId: string; botId: string; viewPrefix: string }) {}

  /** A new modal; for `user`, it replaces whatever modal that person had open. */
  open(a: SlackArgs, user?: string): Result {
    if (!str(a.trigger_id) && !str(a.interactivity_pointer)) return { ok: false, error: 'invalid_arguments' };
    if (!isObject(a.view)) return { ok: false, error: 'invalid_arguments' };
    const view = this.create(a.view);
    if (user !== undefined) {
      for (const id of this.stacks.get(user) ?? []) this.views.delete(id);
      this.stacks.set(user, [String(view.id)]);
    }
    return { ok: true, view: structuredClone(view) };
  }

  /** A view on top of the person's open modal (`views.push`, or a `push` response_action). */
  push(a: SlackArgs, user: string | undefined): Result {
    if (!isObject(a.view)) return { ok: false, error: 'invalid_arguments' };
    const stack = user === undefined ? undefined : this.stacks.get(user);
    if (!stack?.length) return { ok: false, error: 'not_found' };
    if (stack.length >= MAX_STACK) return { ok: false, error: 'push_limit_reached' };
    const root = stack[0]!;
    const view = this.create(a.view, { root_view_id: root, previous_view_id: stack.at(-1)! });
    stack.push(String(view.id));
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

  /** The App Home tab of `user_id`: one view per person, replaced on each publish. */
  publish(a: SlackArgs): Result {
    const user = str(a.user_id);
    if (!user || !isObject(a.view)) return { ok: false, error: 'invalid_arguments' };
    if (a.view.type !== 'home') return { ok: false, error: 'invalid_arguments' };
    const current = this.homes.get(user);
    if (current && str(a.hash) && a.hash !== current.hash) return { ok: false, error: 'hash_conflict' };
    const id = current ? String(current.id) : this.nextId();
    const view = this.build(a.view, { id, root_view_id: id, previous_view_id: null, state: { values: {} } });
    this.homes.set(user, view);
    return { ok: true, view: structuredClone(view) };
  }

  /** Records what the person entered, which Slack keeps on the view (`state.values`). */
  setValues(viewId: string, values: Result): void {
    const view = this.views.get(viewId);
    if (view) view.state = { values: structuredClone(values) };
  }

  view(viewId: string): Result | undefined {
    const view = this.views.get(viewId);
    return view && structuredClone(view);
  }

  /** The person whose modal stack holds this view, if any. */
  ownerOf(viewId: string): string | undefined {
    for (const [user, stack] of this.stacks) if (stack.includes(viewId)) return user;
    return undefined;
  }

  /** Closes this view and any pushed above it (the whole modal when it is the root); returns them. */
  close(user: string, viewId: string): Result[] {
    const stack = this.stacks.get(user) ?? [];
    const at = stack.indexOf(viewId);
    if (at === -1) return [];
    const closed = stack.splice(at).map((id) => this.views.get(id)!);
    for (const view of closed) this.views.delete(String(view.id));
    if (stack.length === 0) this.stacks.delete(user);
    return structuredClone(closed);
  }

  /** Modals in `user`'s stack, root first. */
  stack(user: string): Result[] {
    return structuredClone((this.stacks.get(user) ?? []).map((id) => this.views.get(id)!));
  }

  home(user: string): Result | undefined {
    const view = this.homes.get(user);
    return view && structuredClone(view);
  }

  /** Modals as last opened or updated (App Home views are not modals). */
  list(): Result[] {
    return structuredClone([...this.views.values()]);
  }

  clear(): void {
    this.views.clear();
    this.stacks.clear();
    this.homes.clear();
  }

  private create(submitted: Result, place: { root_view_id?: string; previous_view_id?: string } = {}): Result {
    const id = this.nextId();
    const identity = { id, root_view_id: place.root_view_id ?? id, previous_view_id: place.previous_view_id ?? null, state: { values: {} } };
    const view = this.build(submitted, identity);
    this.views.set(id, view);
    return view;
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
    return `${this.ids.viewPrefix}${String(this.counter).padStart(5, '0')}`;
  }
}
