import { slackArgs as argsOf, slackToken as tokenOf, type SlackArgs } from '../../src/local/slack-emulator/slack-args.ts';
import type { FakeRequest, RecordedCall } from './fake-server.ts';

export type { SlackArgs };

/** One Web API call as the Slack fake understood it. */
export interface SlackCall {
  method: string;
  /** The token the caller authenticated with (Authorization header first, then the `token` field). */
  token: string | undefined;
  args: SlackArgs;
  /** HTTP status; Slack answers errors with 200 and `ok:false`, so this is 200 unless a fault was injected. */
  status: number;
  at: number;
}

/** Arguments from the query string and the body (JSON or form), JSON-in-form fields decoded. */
export function slackArgs(req: FakeRequest): SlackArgs {
  return argsOf(req.query, req.body);
}

export function slackToken(req: FakeRequest): string | undefined {
  return tokenOf(req.headers, slackArgs(req));
}

export function toSlackCall(call: RecordedCall): SlackCall {
  const method = call.path.replace(/^\/api\//, '');
  return { method, token: slackToken(call), args: slackArgs(call), status: call.status, at: call.at };
}
