import { execFile } from 'node:child_process';
import type { ProbeAction, ProbeResult } from './probes';

/**
 * Runs one probe (the I/O half of the prober; timing and thresholds are probes.ts). exec runs in
 * the container through the runtime. httpGet and tcpSocket connect from inside the pod's network
 * namespace — until pods have addresses on a bridge, that is the only place their ports exist —
 * with a short Node script started under `ip netns exec`. As upstream: a status from 200 to 399 is
 * a success; a redirect is counted a success without being followed (upstream follows one to the
 * same host and counts one elsewhere a success).
 */

export type ProbeOutcome = Readonly<{ result: ProbeResult | 'error'; output: string }>;

export type ProbeContext = Readonly<{
  /** `/var/run/netns/<name>` of the pod, or absent to connect from the host. */
  netnsPath?: string;
  /** Where httpGet/tcpSocket connect when the probe names no host: the pod's IP, else its loopback. */
  podIP?: string;
  /** Runs argv in the probed container; resolves with its exit code and output. */
  exec: (argv: readonly string[], timeoutMs: number) => Promise<Readonly<{ exitCode: number; output: string }>>;
}>;

/** What kubelet's prober caps output at before it goes into an event. */
const MAX_OUTPUT = 10 * 1024;

/** The script run inside the namespace: argv[1] is a JSON request; exit 0 = success, 1 = failure, 2 = error. */
const CONNECT_SCRIPT = `
const r = JSON.parse(process.argv[1]);
const done = (code, text) => { process.stdout.write(String(text)); process.exit(code); };
const timer = setTimeout(() => done(1, r.type === 'tcpSocket' ? 'dial tcp ' + r.host + ':' + r.port + ': i/o timeout' : 'Get "' + r.url + '": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'), r.timeoutMs);
if (r.type === 'tcpSocket') {
  const s = require('net').connect({ host: r.host, port: r.port }, () => { clearTimeout(timer); s.destroy(); done(0, ''); });
  s.on('error', (e) => { clearTimeout(timer); done(1, 'dial tcp ' + r.host + ':' + r.port + ': ' + e.message); });
} else {
  const client = r.url.startsWith('https:') ? require('https') : require('http');
  const req = client.get(r.url, { headers: r.headers, rejectUnauthorized: false }, (res) => {
    let body = '';
    res.on('data', (d) => { if (body.length < 10240) body += d; });
    res.on('end', () => { clearTimeout(timer); const ok = res.statusCode >= 200 && res.statusCode < 400; done(ok ? 0 : 1, ok ? body : 'HTTP probe failed with statuscode: ' + res.statusCode); });
  });
  req.on('error', (e) => { clearTimeout(timer); done(1, 'Get "' + r.url + '": ' + e.message); });
}`;

export async function runProbe(action: ProbeAction, timeoutMs: number, ctx: ProbeContext): Promise<ProbeOutcome> {
  switch (action.type) {
    case 'exec': {
      try {
        const { exitCode, output } = await ctx.exec(action.command, timeoutMs);
        return { result: exitCode === 0 ? 'success' : 'failure', output: output.slice(0, MAX_OUTPUT) };
      } catch (err) {
        return { result: 'error', output: (err as Error).message };
      }
    }
    case 'httpGet':
    case 'tcpSocket': {
      if (typeof action.port !== 'number') return { result: 'error', output: `port "${action.port}" is not a number and no container port has that name` };
      const host = action.host || ctx.podIP || '127.0.0.1';
      const request = action.type === 'tcpSocket'
        ? { type: action.type, host, port: action.port, timeoutMs }
        : {
          type: action.type,
          url: `${action.scheme.toLowerCase()}://${host.includes(':') ? `[${host}]` : host}:${action.port}${action.path.startsWith('/') ? action.path : `/${action.path}`}`,
          headers: Object.fromEntries([['User-Agent', 'kube-probe/1.32'], ['Accept', '*/*'], ...action.httpHeaders.map((h) => [h.name, h.value])]),
          timeoutMs,
        };
      return connect(request, timeoutMs, ctx.netnsPath);
    }
    case 'grpc':
      return { result: 'error', output: 'grpc probes are not supported by this node' };
  }
}

function connect(request: Readonly<Record<string, unknown>>, timeoutMs: number, netnsPath: string | undefined): Promise<ProbeOutcome> {
  const node = [process.execPath, '-e', CONNECT_SCRIPT, JSON.stringify(request)];
  const [file, ...args] = netnsPath ? ['ip', 'netns', 'exec', netnsName(netnsPath), ...node] : node;
  return new Promise((resolve) => {
    // The script times itself out; this outer limit only catches a child that never starts.
    execFile(file, args, { timeout: timeoutMs + 5_000, maxBuffer: MAX_OUTPUT * 2 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      if (code === 0) resolve({ result: 'success', output: stdout.slice(0, MAX_OUTPUT) });
      else if (code === 1) resolve({ result: 'failure', output: stdout.slice(0, MAX_OUTPUT) });
      else resolve({ result: 'error', output: (stderr || (err as Error).message).slice(0, MAX_OUTPUT) });
    });
  });
}

const netnsName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
