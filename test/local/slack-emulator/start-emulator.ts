import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSlackEmulator, type SlackEmulator, type SlackEmulatorOptions } from '../../../src/local/slack-emulator/create-slack-emulator.ts';

/** The local-mode identities (LOCAL-MODE.md): two people, the bot, one channel. */
export const LOCAL = {
  botToken: 'xoxb-local-emulator-token',
  signingSecret: 'local-signing-secret',
  team: { id: 'T0LOCAL', name: 'Local' },
  bot: { userId: 'U0BATONBOT', botId: 'B0BATONBOT', name: 'baton' },
  requester: 'U0LOCALREQ',
  approver: 'U0LOCALAPP',
  channel: 'C0LOCALDEV',
  users: [
    { id: 'U0LOCALREQ', name: 'riley', real_name: 'Riley (requester)' },
    { id: 'U0LOCALAPP', name: 'avery', real_name: 'Avery (approver)' },
  ],
  channels: [{ id: 'C0LOCALDEV', name: 'baton-demo' }],
} as const;

export interface RunningEmulator {
  emulator: SlackEmulator;
  /** http://127.0.0.1:port */
  url: string;
  apiUrl: string;
  /** POSTs JSON to the page API and returns the status and parsed answer. */
  page(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  state(user?: string): Promise<Record<string, unknown> & { messages: Record<string, unknown>[]; ephemerals: Record<string, unknown>[]; views: { id: string; view: Record<string, unknown> }[] }>;
  stop(): Promise<void>;
}

/**
 * The emulator's handler mounted on a server of its own, as the local server mounts it; anything
 * it does not answer is a 404, as there.
 */
export async function startEmulator(options: Partial<SlackEmulatorOptions> & { batonEventsUrl: string }): Promise<RunningEmulator> {
  // The emulator needs the server's URL, so it is made once the server listens; no request comes before.
  const made: { emulator?: SlackEmulator } = {};
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    made.emulator!
      .handle(req, res, url)
      .then((answered) => {
        if (!answered) {
          res.writeHead(404);
          res.end();
        }
      })
      .catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const emulator = createSlackEmulator({
    botToken: LOCAL.botToken,
    signingSecret: LOCAL.signingSecret,
    baseUrl: url,
    team: { ...LOCAL.team },
    bot: { ...LOCAL.bot },
    users: LOCAL.users.map((u) => ({ ...u })),
    channels: LOCAL.channels.map((c) => ({ ...c })),
    usergroups: { S0APPROVERS: [LOCAL.approver] },
    ...options,
  });
  made.emulator = emulator;
  const running = emulator;
  return {
    emulator: running,
    url,
    apiUrl: `${url}/api/`,
    async page(path, body) {
      const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    },
    async state(user = LOCAL.requester) {
      const response = await fetch(`${url}/_/slack/state?user=${user}`);
      return (await response.json()) as Awaited<ReturnType<RunningEmulator['state']>>;
    },
    async stop() {
      running.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
