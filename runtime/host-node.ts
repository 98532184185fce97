import { readFileSync, statfsSync } from 'node:fs';
import { arch, cpus, release, totalmem } from 'node:os';
import { KUBELET_VERSION, type NodeDescription } from './node-object';

/**
 * What this machine offers as a node, read from the host: CPUs, memory, the data dir's disk, the
 * OS image and kernel. Max pods is Kubernetes' default (110).
 */
export function describeHost(opts: { dataDir: string; ip: string; runtimeVersion: string }): NodeDescription {
  const disk = statfsSync(opts.dataDir);
  return {
    capacity: {
      cpu: String(cpus().length),
      memory: `${Math.floor(totalmem() / 1024)}Ki`,
      pods: '110',
      'ephemeral-storage': `${Math.floor((disk.blocks * disk.bsize) / 1024)}Ki`,
    },
    ip: opts.ip,
    info: {
      kubeletVersion: KUBELET_VERSION,
      containerRuntimeVersion: opts.runtimeVersion,
      osImage: osImage(),
      kernelVersion: release(),
      architecture: arch() === 'x64' ? 'amd64' : arch(),
      machineID: readTrimmed('/etc/machine-id'),
      bootID: readTrimmed('/proc/sys/kernel/random/boot_id'),
    },
  };
}

function osImage(): string {
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readTrimmed('/etc/os-release'));
  return pretty?.[1] ?? 'Linux';
}

function readTrimmed(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
