import type { Blocks } from '../../integrations/slack.ts';
import { section } from './blocks.ts';

/** Said in every message that shows test results of a run whose tests ran without bubblewrap. */
export const UNSANDBOXED_TEXT = ':warning: *Tests ran WITHOUT a sandbox on this host* (sandbox.when_unavailable: run_unsandboxed)';

export function unsandboxedWarning(): Blocks[number] {
  return section(UNSANDBOXED_TEXT);
}
