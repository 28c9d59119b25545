import type { Blocks } from '../../integrations/slack.ts';
import { section } from './blocks.ts';

/**
 * Said in every message that shows test results of a run whose tests ran without bubblewrap. It
 * says what that means, not only that it happened: the repository's code ran on the host as Baton's
 * own user, where it can read Baton's secrets from /proc/<pid>/environ (the allowlisted environment
 * hides them from the command's own variables, not from that file).
 */
export const UNSANDBOXED_TEXT =
  ":warning: *Tests ran WITHOUT a sandbox on this host* (sandbox.when_unavailable: run_unsandboxed). The repository's install and test commands " +
  "ran as Baton's own user, with the host's network: they could read Baton's secrets (its environment, through /proc) and anything else " +
  'that user can. Use this only for repositories you trust.';

export function unsandboxedWarning(): Blocks[number] {
  return section(UNSANDBOXED_TEXT);
}
