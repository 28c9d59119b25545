import { randomBytes } from 'node:crypto';
import type { App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Logger } from '../../logger.ts';
import type { Run, NewRun } from '../../domain/run.ts';
import { parseAgentCommand } from '../../domain/parse-agent-command.ts';
import { helpMessage } from '../views/help-message.ts';
import { alreadyRunningReply, commandFailedReply, noRunsReply, runStartedReply, statusReply } from '../views/run-messages.ts';
import type { SlackMessage } from '../../integrations/slack.ts';

export const AGENT_COMMAND = '/agent';

/** What a fix request came to (jobs/start-run.ts answers it; main.ts hands the function in). */
export type StartRunAnswer = { kind: 'started'; run: Run } | { kind: 'already_running'; run: Run };

export interface AgentCommandDeps {
  startRun(input: NewRun): Promise<StartRunAnswer>;
  /** Why Baton cannot take this key (its prefix is not a configured team), or undefined. */
  checkTicketKey(key: string): SlackMessage | undefined;
  listRuns(ticketKey: string | undefined): Promise<Run[]>;
  /** The latest run's trail for a ticket, ready to show (jobs/audit-trail.ts), or undefined when the ticket has no run. */
  auditTrail(ticketKey: string): Promise<SlackMessage | undefined>;
  log: Logger;
}

/** What a person can do about a failure they cannot see into. */
function reasonFor(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const unreachable = ['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '57P03', '08006', '08001'];
  if ((e.code && unreachable.includes(e.code)) || /timeout|terminated|connect/i.test(e.message ?? '')) {
    return "Baton's database is not reachable right now";
  }
  return 'Baton hit an internal error';
}

/**
 * `/agent` — parse (pure), make one call, and answer in the ack itself. The ack carries the
 * outcome of one short transaction; a database that is down fails it within the pool's 2 s
 * connect timeout, inside Slack's 3 seconds (bench/ack-latency measures the normal case).
 */
export async function handleAgentCommand(
  { command, ack }: Pick<SlackCommandMiddlewareArgs, 'command' | 'ack'>,
  deps: AgentCommandDeps,
): Promise<void> {
  const reply = (m: SlackMessage): Promise<void> => ack({ response_type: 'ephemeral', text: m.text, blocks: m.blocks });
  // Over HTTP the guard in front of Bolt checked the form; Socket Mode payloads come unchecked.
  const parsed = parseAgentCommand(typeof command.text === 'string' ? command.text : '');
  const log = deps.log.child({ command: 'agent', user: command.user_id, channel: command.channel_id });
  try {
    switch (parsed.kind) {
      case 'help':
        return await reply(helpMessage());
      case 'invalid':
        return await reply(helpMessage(parsed.reason));
      case 'status':
        return await reply(statusReply(await deps.listRuns(parsed.ticketKey), parsed.ticketKey));
      case 'audit': {
        const trail = await deps.auditTrail(parsed.ticketKey);
        return await reply(trail ?? noRunsReply(parsed.ticketKey));
      }
      case 'fix': {
        const problem = deps.checkTicketKey(parsed.ticketKey);
        if (problem) return await reply(problem);
        const result = await deps.startRun({
          ticketKey: parsed.ticketKey,
          source: 'slack',
          requestedBy: command.user_id,
          channelId: command.channel_id,
          responseUrl: command.response_url,
        });
        log.info({ runId: result.run.id, ticket: result.run.ticketKey, outcome: result.kind }, 'fix requested');
        return await reply(result.kind === 'started' ? runStartedReply(result.run) : alreadyRunningReply(result.run));
      }
    }
  } catch (error) {
    const reference = randomBytes(4).toString('hex');
    log.error({ err: error, reference, text: command.text }, 'slash command failed');
    const action = parsed.kind === 'fix' ? `queue ${parsed.ticketKey}` : parsed.kind === 'audit' ? `read ${parsed.ticketKey}'s audit trail` : 'look up the runs';
    await reply(commandFailedReply(action, reasonFor(error), reference));
  }
}

export function registerAgentCommand(app: App, deps: AgentCommandDeps): void {
  app.command(AGENT_COMMAND, (args) => handleAgentCommand(args, deps));
}
