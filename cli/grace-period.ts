/** `--grace-period` as kubectl reads it, shared by `delete` and `drain`. */
import { CliError } from './errors';

/** The flag's whole number of seconds; -1, kubectl's default ("the object's own"), when it is absent. */
export function gracePeriodFlag(flag: string | undefined): number {
  if (flag === undefined) return -1;
  if (!/^-?\d+$/.test(flag)) throw new CliError(`invalid argument "${flag}" for "--grace-period" flag: not an integer`);
  return Number(flag);
}
