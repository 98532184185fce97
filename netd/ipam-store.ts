import { open, readFile, rename, unlink } from 'node:fs/promises';
import { ipamStateFromJSON, type IpamState } from './ipam';

/**
 * The node agent's IPAM state on disk (one JSON file in its data dir). Written atomically: a
 * temporary file beside it, fsynced, renamed over it, so a crash leaves the old state or the new,
 * never half of one.
 */

/** The saved state, or undefined when there is none yet. A file that is not a state is an error that names it. */
export async function loadIpamState(path: string): Promise<IpamState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return ipamStateFromJSON(text);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`, { cause: err });
  }
}

export async function saveIpamState(path: string, state: IpamState): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const file = await open(tmp, 'w', 0o600);
  try {
    await file.writeFile(`${JSON.stringify(state, null, 2)}\n`, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
