import type { Blocks } from '../../integrations/slack.ts';
import { REVIEWER_LABEL, REVIEWERS, VETO_LABEL, type Consensus, type Veto } from '../../domain/review.ts';
import { section } from './blocks.ts';
import type { Button } from './buttons.ts';
import { inlineText } from './inline-text.ts';
import { formatScore } from './score.ts';
import { shortSha } from './short-sha.ts';

const SECTION_CHARS = 1_400;
const VETO_REASON_CHARS = 300;
// Slack's confirmation dialog: a title of at most 100 characters and a text of at most 300.
const CONFIRM_TITLE_CHARS = 100;
const CONFIRM_TEXT_CHARS = 300;

/** "Security risk (Security)": Baton's own words for a veto, never the model's. */
function vetoName(veto: Veto): string {
  return `${VETO_LABEL[veto.code]}${veto.reviewer ? ` (${REVIEWER_LABEL[veto.reviewer]})` : ''}`;
}


function vetoes(n: number): string {
  return `${n} veto${n === 1 ? '' : 'es'}`;
}

/**
 * The consensus score (0.00–1.00) with its parts, and every veto spelled out with its reason (the
 * reason may quote a reviewer, so it is escaped).
 */
export function consensusSection(consensus: Consensus, headSha: string): Blocks[number] {
  const parts = REVIEWERS.map((r) => {
    const c = consensus.components[r];
    return `${REVIEWER_LABEL[r].toLowerCase()} ${c.score === null ? 'abstained' : formatScore(c.score)} × ${formatScore(c.weight)}`;
  });
  const scored = consensus.headSha !== headSha ? ` · :warning: scored on \`${shortSha(consensus.headSha)}\`, not \`${shortSha(headSha)}\`` : '';
  const head = `*Consensus: ${formatScore(consensus.score)}* (${parts.join(' + ')})${scored}`;
  if (consensus.vetoes.length === 0) return section(`${head}\n:white_check_mark: No veto.`);
  const lines = [`:no_entry: *${vetoes(consensus.vetoes.length)}* (Approve asks you to confirm):`];
  let size = head.length + lines[0]!.length + 2;
  for (const [i, veto] of consensus.vetoes.entries()) {
    const line = `• *${vetoName(veto)}*: ${inlineText(veto.reason, VETO_REASON_CHARS)}`;
    if (size + line.length + 1 > SECTION_CHARS - 40) {
      lines.push(`_… and ${consensus.vetoes.length - i} more veto${consensus.vetoes.length - i === 1 ? '' : 'es'}_`);
      break;
    }
    lines.push(line);
    size += line.length + 1;
  }
  return section([head, ...lines].join('\n'));
}

/** "Security risk (Security) ×2; Baton's checks": each kind of veto once, for when the reasons do not fit. */
function groupedNames(list: Veto[], room: number): string {
  const counts = new Map<string, number>();
  for (const veto of list) counts.set(vetoName(veto), (counts.get(vetoName(veto)) ?? 0) + 1);
  const names = [...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name));
  const kept: string[] = [];
  for (const [i, name] of names.entries()) {
    const rest = names.length - i - 1;
    if ([...kept, name].join('; ').length + (rest > 0 ? ` and ${rest} more kinds`.length : 0) > room) {
      return `${kept.join('; ')} and ${names.length - i} more kinds`;
    }
    kept.push(name);
  }
  return kept.join('; ');
}

/**
 * The dialog Slack shows before an Approve counts while a veto stands: it names each veto (plain
 * text, within Slack's limits). The server still checks the click; this only makes it deliberate.
 */
export function vetoConfirm(consensus: Consensus, what: string): Button['confirm'] | undefined {
  const list = consensus.vetoes;
  if (list.length === 0) return undefined;
  const title = `Approve despite ${vetoes(list.length)}?`.slice(0, CONFIRM_TITLE_CHARS);
  const tail = `Approving ${what} overrides ${list.length === 1 ? 'it' : 'them'}.`;
  const room = CONFIRM_TEXT_CHARS - tail.length - 2;
  // Each veto's reason shares what room is left after the names and separators; when a reason
  // would get under 30 characters, the vetoes are named without their reasons.
  const names = list.map(vetoName);
  const perReason = Math.floor((room - names.join('; ').length - 3 * list.length - 10) / list.length);
  const text = perReason >= 30
    ? list.map((v, i) => `${names[i]}: ${inlineText(v.reason, perReason)}`).join('; ')
    : groupedNames(list, room);
  const sentence = /[.!?…]$/.test(text) ? text : `${text}.`;
  return { title, text: `${sentence} ${tail}`.slice(0, CONFIRM_TEXT_CHARS), confirm: 'Approve anyway', deny: 'Cancel' };
}
