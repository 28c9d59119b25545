import { z } from 'zod';
import type { LoopTool } from '../loop-tool.ts';
import type { CoderStop } from './coder-stop.ts';

const inputSchema = z.object({ question: z.string().trim().min(1).max(4_000) });

/** The coder's `ask_clarification { question }`: ends the loop; the run waits for the ticket's author. */
export function askClarificationTool(): LoopTool<CoderStop> {
  return {
    definition: {
      name: 'ask_clarification',
      description:
        "Ask the ticket's author one question and pause the run until they answer; the run then resumes with the answer. " +
        'Use it only when the ticket is ambiguous in a way the code and tests cannot settle (two plausible behaviours, a missing expected value), ' +
        'or when you cannot reproduce the bug after a real attempt. Do not use it for progress reports, for permission, or for anything you can find out by reading the code.',
      input_schema: {
        type: 'object',
        properties: {
          question: {
            type: 'string',
            description:
              'The question as the author will read it on the ticket: say what you tried or found, then exactly what you need to know. Plain text, a few sentences.',
          },
        },
        required: ['question'],
        additionalProperties: false,
      },
    },
    readOnly: false,
    async run(raw) {
      const parsed = inputSchema.safeParse(raw);
      if (!parsed.success) return { content: 'ask_clarification needs `question`: a non-empty string of at most 4,000 characters.', isError: true };
      return {
        content: "Question sent to the ticket's author; the run pauses until they answer.",
        terminal: { kind: 'clarify', question: parsed.data.question },
      };
    },
  };
}
