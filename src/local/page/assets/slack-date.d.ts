export function formatSlackDate(date: Date, format: string, ctx?: { locale?: string; timeZone?: string; now?: Date }): string;
export function dateOfTs(ts: string): Date | null;
