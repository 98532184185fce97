/** Secret: its type and the size of each value; values themselves are never printed. */
import type { KubeObject } from '../../actors/kinds/types';
import type { DescribeWriter } from './writer';

export function describeSecret(w: DescribeWriter, secret: KubeObject): void {
  const data = (secret.data ?? {}) as Readonly<Record<string, string>>;
  w.line(0, '');
  w.field(0, 'Type', typeof secret.type === 'string' ? secret.type : undefined);
  w.line(0, '');
  w.line(0, 'Data');
  w.line(0, '====');
  for (const key of Object.keys(data).sort()) w.line(0, `${key}:\t${Buffer.from(data[key], 'base64').length} bytes`);
  w.line(0, '');
}
