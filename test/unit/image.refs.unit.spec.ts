/** Image names as docker/containerd normalize them, imagePullPolicy as the kubelet applies it, and ctr's output read back. */
import { parseImageList } from '../../runtime/containerd/ctr-output';
import { ctrMessage, pullFailure } from '../../runtime/containerd/errors';
import { normalizeImageName, parseImageRef } from '../../runtime/image/image-name';
import { ImageNameError } from '../../runtime/image/errors';
import { defaultPullPolicy, pullBackOff, pullBackOffMs, pullFailed, pullStep } from '../../runtime/image/pull-policy';

describe('image names: normalized as docker and containerd do', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1', 'docker.io/library/busybox:1'],
    ['library/busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['me/app:v1', 'docker.io/me/app:v1'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['skiff.local/busybox:1.35', 'skiff.local/busybox:1.35'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/team/app:v2', 'localhost:5000/team/app:v2'],
    ['registry.k8s.io/pause:3.9', 'registry.k8s.io/pause:3.9'],
    [`busybox@sha256:${'a'.repeat(64)}`, `docker.io/library/busybox@sha256:${'a'.repeat(64)}`],
    [`busybox:1@sha256:${'b'.repeat(64)}`, `docker.io/library/busybox:1@sha256:${'b'.repeat(64)}`],
    ['a_b__c-d/x--y.z', 'docker.io/a_b__c-d/x--y.z:latest'],
  ])('%s → %s', (name, full) => expect(normalizeImageName(name)).toBe(full));

  it('splits domain, path, tag and digest', () => {
    expect(parseImageRef('localhost:5000/team/app:v2')).toEqual({ domain: 'localhost:5000', path: 'team/app', tag: 'v2' });
  });

  it.each([
    ['', /empty/],
    ['Busybox', /"Busybox" must be lowercase/],
    ['busybox:', /"" is not a tag/],
    ['busybox:-1', /"-1" is not a tag/],
    ['busybox@sha256:xyz', /is not a digest/],
    ['a//b', /empty path component/],
    ['bad_host.x-/app', /is not a registry host/],
    [`x/${'a'.repeat(260)}`, /longer than 255/],
  ])('refuses %j', (name, why) => {
    expect(() => parseImageRef(name)).toThrow(ImageNameError);
    expect(() => parseImageRef(name)).toThrow(why);
  });
});

describe('imagePullPolicy: the API server default', () => {
  it.each([
    ['busybox', 'Always'],
    ['busybox:latest', 'Always'],
    ['busybox:1.36', 'IfNotPresent'],
    [`busybox@sha256:${'a'.repeat(64)}`, 'IfNotPresent'],
    ['skiff.local/busybox:1.35', 'IfNotPresent'],
  ])('%s → %s', (image, policy) => expect(defaultPullPolicy(image)).toBe(policy));
});

describe('imagePullPolicy: what the kubelet does before a start', () => {
  const IMAGE = 'skiff.local/busybox:1.35';
  it.each([
    ['Always', true, 'pull'],
    ['Always', false, 'pull'],
    ['IfNotPresent', true, 'use'],
    ['IfNotPresent', false, 'pull'],
    ['Never', true, 'use'],
    ['Never', false, 'fail'],
  ] as const)('%s, present=%s → %s', (policy, present, kind) => expect(pullStep(IMAGE, policy, present).kind).toBe(kind));

  it('speaks the kubelet\'s words', () => {
    expect(pullStep(IMAGE, 'IfNotPresent', true)).toEqual({ kind: 'use', event: { reason: 'Pulled', message: `Container image "${IMAGE}" already present on machine` } });
    expect(pullStep(IMAGE, 'Always', true)).toEqual({ kind: 'pull', event: { reason: 'Pulling', message: `Pulling image "${IMAGE}"` } });
    const never = `Container image "${IMAGE}" is not present with pull policy of Never`;
    expect(pullStep(IMAGE, 'Never', false)).toEqual({ kind: 'fail', waiting: { reason: 'ErrImageNeverPull', message: never }, event: { reason: 'ErrImageNeverPull', message: never } });
    expect(pullStep('Bad:Name', 'IfNotPresent', false)).toMatchObject({ kind: 'fail', waiting: { reason: 'InvalidImageName', message: expect.stringMatching(/^Failed to apply default image tag "Bad:Name": /) } });
    expect(pullFailed(IMAGE, 'x: not found')).toEqual({ reason: 'ErrImagePull', message: `Failed to pull image "${IMAGE}": x: not found` });
    expect(pullBackOff(IMAGE)).toEqual({ reason: 'ImagePullBackOff', message: `Back-off pulling image "${IMAGE}"` });
  });

  it('backs off 10 s, doubling, to at most 300 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(pullBackOffMs)).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });
});

describe('ctr output', () => {
  // Captured from ctr 1.6.20 on this machine class (no registry reachable).
  const REFUSED = 'failed to resolve reference "127.0.0.1:1/x:1": failed to do request: Head "http://127.0.0.1:1/v2/x/manifests/1": dial tcp 127.0.0.1:1: connect: connection refused';
  const NO_DNS = 'failed to resolve reference "docker.io/library/busybox:1.36": failed to do request: Head "https://registry-1.docker.io/v2/library/busybox/manifests/1.36": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host';

  it('the ctr: line is the message, log lines before it are not', () => {
    const stderr = `time="2026-11-27T18:15:21Z" level=info msg="trying next host" error="failed" host="127.0.0.1:1"\nctr: ${REFUSED}\n`;
    expect(ctrMessage(stderr)).toBe(REFUSED);
    expect(ctrMessage('something else\n')).toBe('something else');
    expect(ctrMessage('')).toBeUndefined();
  });

  it.each([
    [REFUSED, 'unreachable'],
    [NO_DNS, 'unreachable'],
    ['failed to resolve reference "docker.io/library/nope:1": docker.io/library/nope:1: not found', 'notFound'],
    ['failed to resolve reference "r.example/x:1": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed', 'unauthorized'],
    ['failed to extract layer: disk full', 'other'],
  ])('pull failure %#: %s → %s', (message, reason) => expect(pullFailure(message)).toBe(reason));

  it('images ls: the two-word size, platforms, and the header skipped', () => {
    const out = [
      'REF                    TYPE                                                 DIGEST                                                                  SIZE    PLATFORMS   LABELS ',
      `skiff.local/busybox:1  application/vnd.oci.image.manifest.v1+json           sha256:${'3'.repeat(64)} 1.0 MiB linux/amd64 -      `,
      `docker.io/library/x:dk application/vnd.docker.distribution.manifest.v2+json sha256:${'4'.repeat(64)} 12.5 KiB linux/amd64,linux/arm64/v8 -      `,
      '',
    ].join('\n');
    expect(parseImageList(out)).toEqual([
      { ref: 'skiff.local/busybox:1', mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'3'.repeat(64)}`, size: '1.0 MiB', platforms: ['linux/amd64'] },
      { ref: 'docker.io/library/x:dk', mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: `sha256:${'4'.repeat(64)}`, size: '12.5 KiB', platforms: ['linux/amd64', 'linux/arm64/v8'] },
    ]);
  });
});
