/*
 * Slack's limits (Block Kit reference): 50 blocks per message, 3,000 characters per section text.
 * Slack truncates or refuses long messages well before its 40,000-character text limit when they
 * carry blocks, so a card is kept near 10,000 characters: a full diff goes as a file.
 */
export const MESSAGE_LIMITS = { blocks: 50, sectionChars: 3_000, totalChars: 12_000 } as const;
