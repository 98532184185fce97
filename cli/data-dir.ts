import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where skiff keeps its state unless told: $SKIFF_DATA_DIR, else ~/.skiff. */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  return env.SKIFF_DATA_DIR ? resolve(env.SKIFF_DATA_DIR) : join(homedir(), '.skiff');
}
