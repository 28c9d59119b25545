import { z } from 'zod';
import type { LoopTool } from '../loop-tool.ts';
import type { CoderStop } from './coder-stop.ts';

const inputSchema = z.object({ summary: z.string().trim().min(1).max(20_000) });

/** The coder's `finish { summary }`: ends the loop; Baton then proves the change itself. */
export function finishTool(): LoopTool<CoderStop> {
  return {
    definition: {
      name: 'finish',
      description:
        'Call this once the fix is done, and only then: you have added or changed a test that reproduces the bug, ' +
        'you have seen it fail before your fix and pass after it, and the rest of the test suite still passes. ' +
        'Baton then checks this itself: it runs your new test on the base commit (it must fail there) and the whole suite on your change (it must pass). ' +
        'If a check fails you get its reason back and can continue. Do not call it to give up; ask_clarification is for that.',
      input_schema: {
        type: 'object',
        properties: {
          summary: {
            type: 'string',
            description:
              'For the pull request, in a few short paragraphs of Markdown: what was wrong and why, what you changed, and which test reproduces the bug.',
          },
        },
        required: ['summary'],
        additionalProperties: false,
      },
    },
    readOnly: false,
    async run(raw) {
      const parsed = inputSchema.safeParse(raw);
      if (!parsed.success) return { content: 'finish needs `summary`: a non-empty string of at most 20,000 characters.', isError: true };
      return { content: 'Finished. Baton is now checking the change.', terminal: { kind: 'finish', summary: parsed.data.summary } };
    },
  };
}
