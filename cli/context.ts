/** What every verb gets: global flags, I/O, cancellation, a clock, and a lazily built API client. */
import { KubeClient } from '../gateways/client';
import type { FlagSpecs, Flags } from './args';
import type { Terminal } from './terminal';

export const globalFlags = {
  kubeconfig: { kind: 'string' },
  namespace: { kind: 'string', short: 'n' },
} as const satisfies FlagSpecs;

export type Globals = Flags<typeof globalFlags>;

/** Text, or bytes as they came (a container's output). */
export type Output = Readonly<{ write(chunk: string | Uint8Array): void }>;

export type Io = Readonly<{
  stdin: AsyncIterable<Buffer | string>;
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C: watches and waits end quietly. */
  signal: AbortSignal;
  now: () => number;
  /** The local terminal (`exec -t`); absent means none. */
  terminal?: Terminal;
}>;

export type CliContext = Io &
  Readonly<{
    globals: Globals;
    /** Built on first use from the kubeconfig; its `namespace` already honours `-n`. */
    client(): Promise<KubeClient>;
  }>;

export type Connect = (globals: Globals, env: NodeJS.ProcessEnv) => Promise<KubeClient>;

const fromKubeconfig: Connect = (globals, env) => KubeClient.fromKubeconfig({ path: globals.kubeconfig, namespace: globals.namespace, env });

/** A context plus `close()`, which frees the client's connections once the verb is done. */
export function createContext(globals: Globals, io: Io, connect: Connect = fromKubeconfig): CliContext & { close(): void } {
  let client: Promise<KubeClient> | undefined;
  return {
    ...io,
    globals,
    client: () => (client ??= connect(globals, io.env)),
    close: () => void client?.then((c) => c.close(), () => undefined),
  };
}
