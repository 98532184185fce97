/** ConfigMap: each data key and its value; binary keys by size. */
import type { KubeObject } from '../../actors/kinds/types';
import type { DescribeWriter } from './writer';

export function describeConfigMap(w: DescribeWriter, cm: KubeObject): void {
  const data = (cm.data ?? {}) as Readonly<Record<string, string>>;
  const binary = (cm.binaryData ?? {}) as Readonly<Record<string, string>>;
  w.line(0, '');
  w.line(0, 'Data');
  w.line(0, '====');
  for (const key of Object.keys(data).sort()) {
    w.line(0, `${key}:`);
    w.line(0, '----');
    for (const line of data[key].split('\n')) w.line(0, line);
    w.line(0, '');
  }
  w.line(0, '');
  w.line(0, 'BinaryData');
  w.line(0, '====');
  for (const key of Object.keys(binary).sort()) w.line(0, `${key}: ${Buffer.from(binary[key], 'base64').length} bytes`);
  w.line(0, '');
}
