import { Readable } from 'node:stream';
import { main } from '../../cli/main';

export type CliRunResult = Readonly<{ code: number; stdout: string; stderr: string }>;

/** `skiff ARGV…` through main() in this process: no stdin, an empty environment, a fixed clock, output captured. */
export async function skiffInProcess(argv: readonly string[]): Promise<CliRunResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdin: Readable.from([]),
    stdout: { write: (t) => void (stdout += t) },
    stderr: { write: (t) => void (stderr += t) },
    env: {},
    signal: new AbortController().signal,
    now: () => 0,
  });
  return { code, stdout, stderr };
}
