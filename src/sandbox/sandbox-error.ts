export type SandboxErrorCode = 'sandbox_not_found' | 'sandbox_spawn_failed' | 'invalid_command';

/** A command that could not be started at all; a command that ran and failed is a SandboxResult instead. */
export class SandboxError extends Error {
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SandboxError';
  }
}
