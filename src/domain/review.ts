import { z } from 'zod';

/**
 * What the three reviewer agents answer, as zod schemas: the same schema is sent to the model as
 * `output_config.format` (zodOutputFormat) and checked again on the answer, so a malformed answer is
 * caught here, never trusted. Bounds keep one reviewer from flooding the card or the database.
 */

export const REVIEWERS = ['security', 'blast_radius', 'action_plan'] as const;
export type ReviewerName = (typeof REVIEWERS)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

const text = (max: number) => z.string().max(max);
/** How sure the reviewer says it is (0 to 1). It may nudge a component score, never decide it. */
const confidence = z.number().min(0).max(1);

export const securityReportSchema = z.object({
  /** 0 (no risk found) to 10 (critical). 7 or more is a veto. */
  risk: z.number().min(0).max(10),
  findings: z
    .array(
      z.object({
        severity: z.enum(SEVERITIES),
        title: text(200).min(1),
        detail: text(2000),
        /** Repository-relative file, when the finding is in one. */
        path: text(300).optional(),
      }),
    )
    .max(20),
  summary: text(1000),
  confidence,
});

export const blastRadiusReportSchema = z.object({
  level: z.enum(['low', 'medium', 'high']),
  /** Deployable services or packages the change reaches. */
  services: z.array(text(200)).max(30),
  /** Files or modules changed or directly depending on the change. */
  modules: z.array(text(300)).max(50),
  /** Call sites of what changed, found by searching the worktree. */
  callers: z.array(z.object({ path: text(300), symbol: text(200).optional() })).max(50),
  summary: text(1000),
  confidence,
});

export const actionPlanReportSchema = z.object({
  rollout: z.array(text(500)).max(15),
  verification: z.array(text(500)).max(15),
  rollback: z.array(text(500)).max(15),
  summary: text(1000),
  confidence,
});

export type SecurityReport = z.infer<typeof securityReportSchema>;
export type BlastRadiusReport = z.infer<typeof blastRadiusReportSchema>;
export type ActionPlanReport = z.infer<typeof actionPlanReportSchema>;

export const REPORT_SCHEMAS = {
  security: securityReportSchema,
  blast_radius: blastRadiusReportSchema,
  action_plan: actionPlanReportSchema,
} as const satisfies Record<ReviewerName, z.ZodType>;

export interface ReportOf {
  security: SecurityReport;
  blast_radius: BlastRadiusReport;
  action_plan: ActionPlanReport;
}

/** One reviewer's part: its validated report, or an abstention (malformed twice, refused, failed). */
export type ReviewerResult = {
  [R in ReviewerName]:
    | { reviewer: R; status: 'answered'; report: ReportOf[R]; model: string; costUsd: number }
    | { reviewer: R; status: 'abstained'; reason: string; model: string | null; costUsd: number };
}[ReviewerName];

export type ReviewWeights = Record<ReviewerName, number>;
export const DEFAULT_REVIEW_WEIGHTS: ReviewWeights = { security: 0.4, blast_radius: 0.3, action_plan: 0.3 };

export type VetoCode = 'security_risk' | 'severe_finding' | 'abstained' | 'coder_gate' | 'not_reviewed';

/** How a person reads each reviewer and veto, on the card and in the PR description alike. */
export const REVIEWER_LABEL: Record<ReviewerName, string> = { security: 'Security', blast_radius: 'Blast radius', action_plan: 'Action plan' };
export const VETO_LABEL: Record<VetoCode, string> = {
  security_risk: 'Security risk',
  severe_finding: 'Severe finding',
  abstained: 'Reviewer abstained',
  coder_gate: "Baton's checks",
  not_reviewed: 'Not reviewed',
};

export interface Veto {
  code: VetoCode;
  reviewer?: ReviewerName;
  /** A sentence for the approver (untrusted text inside it is escaped by the view). */
  reason: string;
}

export interface ConsensusComponent {
  /** 0 to 1 from the fixed rubric; null for an abstention (which is a veto). */
  score: number | null;
  weight: number;
  /** How the rubric reached the score, in one line. */
  rubric: string;
}

/** The consensus for one head SHA, stored per run and SHA (table `consensus_results`). */
export interface Consensus {
  headSha: string;
  /** Weighted score, 0 to 1 (abstentions count 0). */
  score: number;
  components: Record<ReviewerName, ConsensusComponent>;
  /** Hard vetoes, decided before any weighting. */
  vetoes: Veto[];
}

/** Above this, with no veto, a repository that opted in may auto-approve its merge gate. */
export const AUTO_APPROVE_ABOVE = 0.9;
