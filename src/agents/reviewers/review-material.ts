import type Anthropic from '@anthropic-ai/sdk';
import type { RunOutcome } from '../../domain/run.ts';
import { truncateOutput } from '../../domain/truncate-output.ts';
import { neutraliseWrapperTags, wrapUntrusted } from '../untrusted.ts';

export interface ReviewMaterial {
  ticket: { key: string; title: string; description: string };
  summary: string;
  diff: string;
  evidence: RunOutcome['evidence'];
  headSha: string;
}

/**
 * The diff the reviewers read inline, head and tail: about 50,000 tokens. The coder's diff gate keeps
 * most changes far below it; what is cut can still be read in /repo.
 */
const MAX_DIFF_BYTES = 200_000;

const RUN_LABELS: Record<RunOutcome['evidence']['runs'][number]['label'], string> = {
  base: 'the base commit, before the change',
  base_with_new_tests: "the base commit with only the change's test files (failing here shows the new tests reproduce the problem)",
  change: 'the whole change (passing here shows the fix)',
};

/**
 * The first user message of all three reviewers, byte for byte the same: the part of the prompt they
 * share, cached once. Nothing here may vary between them (no reviewer name, time or counter). The
 * ticket, the coder's summary and the diff come from outside Baton and are wrapped as untrusted.
 */
export function reviewMaterial(material: ReviewMaterial): Anthropic.MessageParam {
  const { ticket, headSha } = material;
  const diff = truncateOutput(material.diff, MAX_DIFF_BYTES);
  const cut = diff.omittedBytes > 0 ? `\n(The diff is longer than Baton shows inline; ${diff.omittedBytes} bytes in the middle were left out. Read the changed files in /repo for them.)` : '';
  return {
    role: 'user',
    content: [
      {
        type: 'text',
        text: `Material for the review of ticket ${neutraliseWrapperTags(ticket.key)} at head ${headSha}.\n\n` +
          wrapUntrusted('untrusted_ticket', `${ticket.title}\n\n${ticket.description}`, { key: ticket.key }),
      },
      { type: 'text', text: `The coding agent's summary of its change:\n${wrapUntrusted('untrusted_summary', material.summary)}` },
      { type: 'text', text: evidenceText(material.evidence) },
      { type: 'text', text: `The change:\n${wrapUntrusted('untrusted_diff', diff.text, { head: headSha })}${cut}` },
    ],
  };
}

function evidenceText(evidence: RunOutcome['evidence']): string {
  const files = evidence.testFiles.map((file) => JSON.stringify(neutraliseWrapperTags(file)));
  const lines = [
    "Baton's test evidence (Baton ran these itself and checked the results; this part is trusted):",
    `- Test files the change adds or modifies: ${files.join(', ') || 'none'}`,
  ];
  for (const run of evidence.runs) {
    const ended = run.timedOut ? 'timed out' : run.exitCode === 0 ? 'passed' : `failed (exit ${run.exitCode ?? 'killed'})`;
    lines.push(`- \`${neutraliseWrapperTags(run.command)}\` on ${RUN_LABELS[run.label]}: ${ended} in ${(run.durationMs / 1000).toFixed(1)} s`);
  }
  if (evidence.runs.length === 0) lines.push('- No test runs were recorded.');
  lines.push(evidence.sandboxed
    ? '- The tests ran in Baton\'s sandbox (no network, the worktree only).'
    : '- WARNING: the tests ran WITHOUT a sandbox (baton.yml allows it on this host); they could have read or changed anything Baton can.');
  return lines.join('\n');
}
