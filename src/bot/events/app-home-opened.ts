import type { App } from '@slack/bolt';
import type { Logger } from '../../logger.ts';

export interface AppHomeOpenedDeps {
  /** main.ts hands this in (jobs/app-home.ts): the Home view for this person. */
  appHome(userId: string): Promise<{ type: 'home'; blocks: unknown[] }>;
  log: Logger;
}

/** `app_home_opened` on the Home tab: publish what waits on this person. Bolt acks events itself. */
export function registerAppHome(app: App, deps: AppHomeOpenedDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    const { user, tab } = event as { user?: unknown; tab?: unknown };
    if (tab !== 'home' || typeof user !== 'string' || user === '') return;
    try {
      await client.views.publish({ user_id: user, view: (await deps.appHome(user)) as never });
    } catch (error) {
      deps.log.error({ err: error, user }, 'the App Home could not be published');
    }
  });
}
