import type { Payload } from '../../src/jobs/queues.ts';

/** An `intake.event` job as a Linear webhook leaves it: a label added to a ticket that is to do. */
export function queueTicketPayload(deliveryId: string): Payload<'intake.event'> {
  return {
    source: 'linear',
    deliveryId,
    event: {
      kind: 'updated',
      source: 'linear',
      ticketKey: `ENG-${deliveryId.replace(/\D/g, '').slice(-6) || '1'}`,
      team: 'ENG',
      labelsAdded: ['agent'],
      descriptionChanged: false,
      labels: ['agent', 'bug'],
      state: { name: 'Todo', category: 'todo' },
      priority: 'medium',
    },
  };
}
