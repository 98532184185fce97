import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer, type NatsServer } from '../../eventlog/nats-server';

/** A real nats-server from the project's nats.conf, on a free loopback port, in its own temp dir. */
export async function startTestNats(): Promise<NatsServer & { dataDir: string; cleanup: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-test-'));
  const server = await startNatsServer({ dataDir });
  return {
    ...server,
    dataDir,
    cleanup: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
