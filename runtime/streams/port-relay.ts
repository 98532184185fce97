/**
 * `kubectl port-forward`'s last hop: a TCP connection to 127.0.0.1:PORT (then [::1]:PORT) made by a
 * small Node process, whose stdin and stdout are the connection's two directions. Started as is
 * (the test double: the host's loopback) or behind `ip netns exec NAME` (containerd: the pod's
 * network namespace, where the pod's loopback is). One relay per forwarded TCP connection.
 *
 * The relay reports on stderr, once, one JSON line: `{"ok":true}` when connected, or
 * `{"ipv4":"…","ipv6":"…"}` (Go's dial error texts, as upstream prints them) when neither
 * address took the connection; then stderr stays silent.
 */
import { spawn } from 'node:child_process';
import { execOfChild } from './exec-process';
import type { ExecProcess, TargetError } from './types';

const RELAY_SCRIPT = `
const net = require('node:net');
const port = Number(process.argv[1]);
const report = (value) => process.stderr.write(JSON.stringify(value) + '\\n');
const words = { ECONNREFUSED: 'connect: connection refused', ENETUNREACH: 'connect: network is unreachable', EADDRNOTAVAIL: 'connect: cannot assign requested address', ETIMEDOUT: 'i/o timeout' };
const dial = (host, family) => new Promise((ok) => {
  const socket = net.connect({ host, port, family });
  socket.once('connect', () => ok({ socket }));
  socket.once('error', (err) => ok({ error: 'dial tcp' + family + ' ' + (family === 6 ? '[' + host + ']' : host) + ':' + port + ': ' + (words[err.code] || err.message) }));
});
(async () => {
  const v4 = await dial('127.0.0.1', 4);
  const v6 = v4.socket ? undefined : await dial('::1', 6);
  const socket = v4.socket || (v6 && v6.socket);
  if (!socket) {
    report({ ipv4: v4.error, ipv6: v6.error });
    process.exitCode = 1;
    return;
  }
  socket.on('error', () => undefined);
  socket.on('close', () => process.exit(0));
  report({ ok: true });
  socket.pipe(process.stdout);
  process.stdin.pipe(socket);
})();
`;

export type RelayFailure = Readonly<{ ipv4?: string; ipv6?: string; other?: string }>;

/**
 * Starts a relay to `port` (argv `prefix` before it, e.g. `ip netns exec NAME`) and resolves once
 * it is connected, or with the refusal `refused(why)` words when it could not connect.
 */
export async function startPortRelay(port: number, prefix: readonly string[], refused: (why: RelayFailure) => TargetError): Promise<ExecProcess | TargetError> {
  const argv = [...prefix, process.execPath, '-e', RELAY_SCRIPT, String(port)];
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const exitCode = new Promise<number>((ok) => child.once('exit', (code) => ok(code ?? 1)));
  const report = await new Promise<RelayFailure | 'ok'>((ok) => {
    let text = '';
    const onData = (d: Buffer): void => {
      text += d.toString('utf8');
      const newline = text.indexOf('\n');
      if (newline < 0) return;
      child.stderr.off('data', onData);
      try {
        const value = JSON.parse(text.slice(0, newline)) as RelayFailure & { ok?: boolean };
        ok(value.ok ? 'ok' : value);
      } catch {
        ok({ other: text.trim() });
      }
    };
    child.stderr.on('data', onData);
    child.once('error', (err) => ok({ other: err.message }));
    child.once('close', () => ok({ other: text.trim() || 'the relay ended before it connected' }));
  });
  if (report === 'ok') return execOfChild(child, exitCode);
  child.kill('SIGKILL');
  return refused(report);
}

/** containerd's words for a relay that could not connect (its sandbox_portforward_linux.go). */
export function connectFailureText(port: number, namespaceId: string, why: RelayFailure): string {
  if (why.other !== undefined) return why.other;
  return `failed to connect to localhost:${port} inside namespace ${JSON.stringify(namespaceId)}, IPv4: ${why.ipv4 ?? ''} IPv6 ${why.ipv6 ?? ''} `;
}
