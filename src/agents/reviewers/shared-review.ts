import type Anthropic from '@anthropic-ai/sdk';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import type { LoopTool } from '../loop-tool.ts';
import { reviewMaterial, type ReviewMaterial } from './review-material.ts';
import { reviewSystem } from './review-system.ts';
import { searchTool } from './search-tool.ts';
import { viewOnlyEditorTool } from './view-only-editor.ts';

/** What the three reviewers share, built once: the same objects make the same bytes, so one cached prefix. */
export interface SharedReview {
  system: Anthropic.TextBlockParam[];
  tools: LoopTool[];
  /** The first user message: ticket, summary, evidence and diff. */
  material: Anthropic.MessageParam;
}

export function sharedReview(input: ReviewMaterial & { worktreePath: string }, sandbox: Sandbox): SharedReview {
  return {
    system: reviewSystem(),
    tools: [viewOnlyEditorTool({ worktree: input.worktreePath }), searchTool({ worktree: input.worktreePath, sandbox })],
    material: reviewMaterial(input),
  };
}
