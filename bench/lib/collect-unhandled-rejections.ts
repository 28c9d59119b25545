/**
 * Records unhandled promise rejections instead of letting Node end the process on the first one,
 * so one target's failure is reported (and fails the bench) while the others are still measured.
 * Node's default, which production Baton keeps, is to crash: each one recorded is a crash there.
 */
export function collectUnhandledRejections(): { take(): string[]; stop(): void } {
  let seen: string[] = [];
  const onRejection = (reason: unknown): void => {
    const e = reason as { message?: string; code?: string; stack?: string };
    const where = e.stack?.split('\n').find((line) => line.includes('node_modules/') || line.includes('/src/'));
    seen.push(`${e.message ?? String(reason)}${e.code ? ` (code ${e.code})` : ''}${where ? ` ${where.trim()}` : ''}`);
  };
  process.on('unhandledRejection', onRejection);
  return {
    take() {
      const taken = seen;
      seen = [];
      return taken;
    },
    stop: () => process.off('unhandledRejection', onRejection),
  };
}
