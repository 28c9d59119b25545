/** What a workspace is seeded with; everything else in Slack's user object is derived. */
export interface SlackUserSeed {
  id: string;
  name?: string;
  real_name?: string;
  display_name?: string;
  /** IANA zone, as Slack reports it; `tz_offset` and `tz_label` are derived from it. */
  tz?: string;
  is_admin?: boolean;
  is_owner?: boolean;
  is_bot?: boolean;
  deleted?: boolean;
  email?: string;
}

/** Seconds east of UTC for `tz` right now, which is how Slack's `tz_offset` is defined. */
function offsetSeconds(tz: string): number {
  const label = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
    .formatToParts(new Date())
    .find((part) => part.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(label ?? '');
  if (!match) return 0;
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60;
  return match[1] === '-' ? -seconds : seconds;
}

function zoneLabel(tz: string): string {
  return (
    new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'long' })
      .formatToParts(new Date())
      .find((part) => part.type === 'timeZoneName')?.value ?? tz
  );
}

/** The user object `users.info` answers with, in Slack's shape. */
export function slackUserObject(seed: SlackUserSeed, team: { id: string; domain: string }): Record<string, unknown> {
  const teamId = team.id;
  const name = seed.name ?? seed.id.toLowerCase();
  const realName = seed.real_name ?? name;
  const displayName = seed.display_name ?? '';
  const tz = seed.tz ?? 'America/Los_Angeles';
  return {
    id: seed.id,
    team_id: teamId,
    name,
    deleted: seed.deleted ?? false,
    color: '9f69e7',
    real_name: realName,
    tz,
    tz_label: zoneLabel(tz),
    tz_offset: offsetSeconds(tz),
    profile: {
      real_name: realName,
      real_name_normalized: realName,
      display_name: displayName,
      display_name_normalized: displayName,
      email: seed.email ?? `${name}@${team.domain}.example.com`,
      team: teamId,
    },
    is_admin: seed.is_admin ?? false,
    is_owner: seed.is_owner ?? false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: seed.is_bot ?? false,
    is_app_user: false,
    updated: 1732170000,
  };
}
