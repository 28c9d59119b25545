import { z } from 'zod';

export const sandboxSchema = z
  .object({
    /** Where bubblewrap cannot run: refuse agent runs (the safe default), or run unsandboxed with a warning in every thread. */
    when_unavailable: z.enum(['refuse', 'run_unsandboxed']).default('refuse'),
    /**
     * The install on the base commit (repos.<r>.install, the repository's own reviewed code, run once
     * before the agent starts, as CI would) may use the network. It then shares the HOST's network
     * namespace, loopback included: it can reach whatever listens on this host's 127.0.0.1 (the
     * PostgreSQL Baton uses, Baton's own port) and the cloud metadata address. Run Baton where that
     * is acceptable, or set false and vendor the dependencies. The agent's commands, the tests and
     * the offline re-install of a change that edits dependency manifests never have the network.
     */
    install_network: z.boolean().default(true),
    command_timeout_seconds: z.number().int().min(1).max(3600).default(120),
    test_timeout_seconds: z.number().int().min(1).max(7200).default(600),
    install_timeout_seconds: z.number().int().min(1).max(7200).default(900),
    /** Size of the tmpfs for /tmp and HOME. */
    tmpfs_mib: z.number().int().min(16).max(16_384).default(512),
    /** Output kept per command, head and tail. */
    output_kib: z.number().int().min(4).max(10_240).default(64),
    /** Extra variables passed into the sandbox by name with fixed values (never Baton's secrets). */
    env: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.string()).default({}),
  })
  .prefault({});
