import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routeTicket, ticketPrefix } from '../../src/domain/route-ticket.ts';
import { policySchema } from '../../src/policy.ts';

const { teams } = policySchema.parse({ teams: { ENG: { tracker: 'linear', channel: 'C1' } } });

test('a key routes to the team of its prefix, and only to a team baton.yml lists', () => {
  assert.equal(routeTicket(teams, 'eng-12')?.prefix, 'ENG');
  assert.equal(routeTicket(teams, 'OPS-1'), undefined);
  // Whatever the prefix spells, Object's own names are not teams.
  for (const key of ['constructor-1', '__proto__-1', 'toString-1', 'CONSTRUCTOR-1']) assert.equal(routeTicket(teams, key), undefined, key);
  assert.equal(ticketPrefix('constructor-1'), 'CONSTRUCTOR');
});
