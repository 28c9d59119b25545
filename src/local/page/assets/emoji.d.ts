export function emojiFor(name: string): string | undefined;
export function emojify(text: string): string;
