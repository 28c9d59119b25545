/** How the coder ends its loop itself: a change it says is done, or a question for the ticket's author. */
export type CoderStop = { kind: 'finish'; summary: string } | { kind: 'clarify'; question: string };
