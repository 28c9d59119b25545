import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * One part of the local server (the Slack emulator, the page, local tickets, local pull requests):
 * answers the request and returns true, or returns false to let the next part try.
 */
export type LocalHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
