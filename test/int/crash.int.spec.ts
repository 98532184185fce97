import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'nats';
import { EventLog } from '../../eventlog/jetstream-log';
import { freePort, startNatsServer } from '../../eventlog/nats-server';
import { readKubeconfig } from '../../gateways/api/kubeconfig';
import { startControlPlane } from '../../gateways/control-plane';
import { startTestNats } from '../harness/nats';
import { httpsClient, spawnControlPlane, waitUntil, type HttpsClient } from '../harness/process';

const BURST = 5_000;
const NS_PATH = '/api/v1/namespaces/default/configmaps';
const payloadOf = (name: string) => ({ owner: name, body: `${name}:`.padEnd(120, '#') });
const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { burst: 'yes' } }, data: payloadOf(name) });

/** Fires BURST creates at once; calls `onAck` after each 201. Resolves with the names that got a 201. */
async function burst(client: HttpsClient, prefix: string, onAck: (acked: number) => void): Promise<Set<string>> {
  const acked = new Set<string>();
  await Promise.all(
    Array.from({ length: BURST }, async (_, i) => {
      const name = `${prefix}-${i}`;
      const r = await client.call('POST', NS_PATH, configMap(name));
      if (r.status === 201) {
        acked.add(name);
        onAck(acked.size);
      }
    }),
  );
  return acked;
}

/** Waits until the actor host has nothing in flight, so re-delivered commands have all been decided. */
async function settled(natsUrl: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    await waitUntil('the command consumer to drain', async () => {
      const info = await jsm.consumers.info('SKIFF_COMMANDS', 'actor-host').catch(() => undefined);
      return info !== undefined && info.num_pending === 0 && info.num_ack_pending === 0;
    }, 90_000);
  } finally {
    await nc.close();
  }
}

/** Every 201 is stored exactly once and intact; whatever else is stored is whole too. */
async function checkInvariants(client: HttpsClient, natsUrl: string, acked: Set<string>, prefix: string): Promise<{ stored: number }> {
  const stored = new Map<string, { data: unknown }>();
  let cont = '';
  do {
    const page = await client.call('GET', `${NS_PATH}?labelSelector=burst%3Dyes&limit=1000${cont ? `&continue=${cont}` : ''}`);
    expect(page.status).toBe(200);
    for (const item of page.body.items) stored.set(item.metadata.name, item);
    cont = page.body.metadata.continue ?? '';
  } while (cont);
  for (const name of acked) expect(stored.has(name)).toBe(true);
  for (const [name, object] of stored) {
    expect(name.startsWith(prefix)).toBe(true);
    expect(object.data).toEqual(payloadOf(name));
  }
  // Exactly once: one `created` event per object in the log, however often its command was delivered.
  const log = await EventLog.open({ servers: natsUrl });
  try {
    const created = new Map<string, number>();
    for await (const rec of log.read({ from: 1, filter: 'skiff.evt._.configmaps.default.*' })) {
      if (rec.envelope.type === 'object.created') created.set(rec.envelope.subject, (created.get(rec.envelope.subject) ?? 0) + 1);
    }
    expect([...created.values()].every((n) => n === 1)).toBe(true);
    expect(created.size).toBe(stored.size);
  } finally {
    await log.close();
  }
  return { stored: stored.size };
}

describe('crash safety', () => {
  it('kill -9 of the control plane during 5,000 concurrent writes loses no acknowledged write and duplicates none', async () => {
    const nats = await startTestNats();
    const port = await freePort();
    let cp = spawnControlPlane({ dataDir: nats.dataDir, natsUrl: nats.url, port });
    let client: HttpsClient | undefined;
    try {
      await waitUntil('the control plane to write its kubeconfig', async () => (await stat(join(nats.dataDir, 'kubeconfig')).catch(() => undefined)) !== undefined && /control plane is up/.test(cp.output()), 60_000);
      const kc = await readKubeconfig(join(nats.dataDir, 'kubeconfig'));
      client = httpsClient(port, kc.caCertPem as string, kc.token as string);
      let killedAt = 0;
      const acked = await burst(client, 'cp', (n) => {
        if (n === 1_500 && !killedAt) {
          killedAt = n;
          cp.child.kill('SIGKILL');
        }
      });
      expect(killedAt).toBe(1_500);
      expect(acked.size).toBeLessThan(BURST);
      await cp.exited;

      cp = spawnControlPlane({ dataDir: nats.dataDir, natsUrl: nats.url, port });
      await waitUntil('the restarted control plane', async () => (await client!.call('GET', '/readyz')).status === 200, 60_000);
      await settled(nats.url);
      const { stored } = await checkInvariants(client, nats.url, acked, 'cp');
      expect(stored).toBeGreaterThanOrEqual(acked.size);
    } finally {
      client?.close();
      cp.child.kill('SIGKILL');
      await cp.exited;
      await nats.cleanup();
    }
  }, 240_000);

  it('kill -9 of nats-server during 5,000 concurrent writes loses no acknowledged write and duplicates none', async () => {
    let nats = await startTestNats();
    const { dataDir, port: natsPort } = nats;
    const cp = await startControlPlane({ dataDir, natsUrl: nats.url, port: 0 });
    const client = httpsClient(cp.port, cp.caCertPem, cp.adminToken);
    let restarted: Awaited<ReturnType<typeof startNatsServer>> | undefined;
    try {
      let killed = false;
      const acked = await burst(client, 'js', (n) => {
        if (n === 1_500 && !killed) {
          killed = true;
          process.kill(nats.pid, 'SIGKILL');
          // Back after a second, on the same port and store, as a supervisor (systemd) would bring it.
          setTimeout(() => void startNatsServer({ dataDir, port: natsPort }).then((s) => (restarted = s)), 1_000);
        }
      });
      expect(killed).toBe(true);
      await waitUntil('nats-server to come back', async () => restarted !== undefined, 30_000);
      await waitUntil('writes to work again', async () => (await client.call('POST', NS_PATH, configMap(`js-after-${Date.now()}`))).status === 201, 60_000);
      await settled(restarted!.url);
      await checkInvariants(client, restarted!.url, acked, 'js');
    } finally {
      client.close();
      await cp.stop({ snapshot: false });
      await restarted?.stop();
      await nats.cleanup();
    }
  }, 240_000);
});

describe('restart from a snapshot', () => {
  it('starts from a snapshot when 10,000 objects are stored, and replays only what came after it', async () => {
    const nats = await startTestNats();
    let cp = await startControlPlane({ dataDir: nats.dataDir, natsUrl: nats.url, port: 0 });
    try {
      const client = httpsClient(cp.port, cp.caCertPem, cp.adminToken, 100);
      for (let i = 0; i < 10_000; i += 500) {
        await Promise.all(Array.from({ length: 500 }, (_, j) => client.call('POST', NS_PATH, configMap(`snap-${i + j}`)).then((r) => expect(r.status).toBe(201))));
      }
      client.close();
      await cp.stop({ snapshot: true });
      cp = await startControlPlane({ dataDir: nats.dataDir, natsUrl: nats.url, port: 0 });
      const report = cp.startReport;
      expect(report.snapshotPosition).toBeGreaterThanOrEqual(10_000);
      expect(report.objectsFromSnapshot).toBeGreaterThanOrEqual(10_004);
      expect(report.replayed).toBeLessThan(100);
      const again = httpsClient(cp.port, cp.caCertPem, cp.adminToken);
      const got = await again.call('GET', `${NS_PATH}/snap-9999`);
      expect(got.status).toBe(200);
      expect(got.body.data).toEqual(payloadOf('snap-9999'));
      again.close();
    } finally {
      await cp.stop({ snapshot: false });
      await nats.cleanup();
    }
  }, 240_000);
});

describe('secrets at rest', () => {
  it('never stores Secret values in clear in the NATS store files', async () => {
    const nats = await startTestNats();
    const cp = await startControlPlane({ dataDir: nats.dataDir, natsUrl: nats.url, port: 0 });
    const client = httpsClient(cp.port, cp.caCertPem, cp.adminToken);
    const plain = `hunter2-${process.pid}-${Date.now()}`;
    const b64 = Buffer.from(`base64-${plain}`).toString('base64');
    try {
      const created = await client.call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: plain }, data: { token: b64 } });
      expect(created.status).toBe(201);
      expect(created.body.data.password).toBe(Buffer.from(plain).toString('base64'));
      expect(created.body.stringData).toBeUndefined();
      const patched = await client.call('PATCH', '/api/v1/namespaces/default/secrets/s', { data: { extra: b64 }, stringData: { more: plain } }, 'application/merge-patch+json');
      expect(patched.status).toBe(200);
      expect(patched.body.data.extra).toBe(b64);
      expect(patched.body.data.more).toBe(Buffer.from(plain).toString('base64'));
      await cp.stop({ snapshot: true });
      const needles = [plain, b64, Buffer.from(plain).toString('base64')];
      for (const file of await filesUnder(join(nats.dataDir, 'nats'))) {
        const bytes = await readFile(file);
        for (const needle of needles) expect({ file, found: bytes.includes(Buffer.from(needle)) }).toEqual({ file, found: false });
      }
    } finally {
      client.close();
      await nats.cleanup();
    }
  }, 60_000);
});

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}
