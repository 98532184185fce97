import type { Deployment, ReplicaSet } from '../../actors/controllers/workloads';
import { formatHistory, revisionsOf } from '../../cli/rollout/history';
import { deploymentRolloutStatus } from '../../cli/rollout/status';
import { undoPatch, undoTarget } from '../../cli/rollout/undo';
import { planDrain } from '../../cli/drain-filter';
import { parseDuration } from '../../cli/duration';

const template = (image: string, hash?: string) => ({ metadata: { labels: { app: 'web', ...(hash ? { 'pod-template-hash': hash } : {}) } }, spec: { containers: [{ name: 'c', image }] } });
const deploy = (over: Partial<Deployment['status']> = {}, generation = 2, image = 'nginx:2'): Deployment => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', uid: 'd1', generation, annotations: { 'deployment.kubernetes.io/revision': '2', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
  spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: template(image) },
  status: { observedGeneration: 2, replicas: 4, updatedReplicas: 4, availableReplicas: 4, ...over },
});
const rs = (revision: number, image: string, owner = 'd1', cause?: string): ReplicaSet => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: { name: `web-${revision}`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: owner, controller: true }], annotations: { 'deployment.kubernetes.io/revision': String(revision), ...(cause ? { 'kubernetes.io/change-cause': cause } : {}) } },
  spec: { template: template(image, `h${revision}`) },
});

describe('rollout status (rollout_status.go)', () => {
  it.each([
    [deploy({}, 3), 'Waiting for deployment spec update to be observed...\n', false],
    [deploy({ updatedReplicas: 1 }), 'Waiting for deployment "web" rollout to finish: 1 out of 4 new replicas have been updated...\n', false],
    [deploy({ replicas: 6 }), 'Waiting for deployment "web" rollout to finish: 2 old replicas are pending termination...\n', false],
    [deploy({ availableReplicas: 2 }), 'Waiting for deployment "web" rollout to finish: 2 of 4 updated replicas are available...\n', false],
    [deploy(), 'deployment "web" successfully rolled out\n', true],
  ])('%#', (d, message, done) => expect(deploymentRolloutStatus(d)).toEqual({ message, done }));
  it('fails on ProgressDeadlineExceeded', () => {
    expect(() => deploymentRolloutStatus(deploy({ conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }))).toThrow('deployment "web" exceeded its progress deadline');
  });
});

describe('rollout history and undo', () => {
  const revisions = revisionsOf(deploy(), [rs(2, 'nginx:2'), rs(1, 'nginx:1', 'd1', 'first'), rs(7, 'x', 'other')]);
  it('keeps controlled ReplicaSets by revision and prints the table', () => {
    expect(revisions.map((r) => r.revision)).toEqual([1, 2]);
    expect(formatHistory('deployment.apps/web', revisions)).toBe('deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         first\n2         <none>\n\n');
  });
  it('builds the JSON patch kubectl sends', () => {
    const target = undoTarget(deploy(), revisions, 0);
    expect(target.revision).toBe(1);
    expect(undoPatch(deploy(), target)).toEqual([
      { op: 'replace', path: '/spec/template', value: template('nginx:1') },
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '2', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'kubernetes.io/change-cause': 'first' } },
    ]);
  });
  it('skips when the template already matches, and rejects unknown revisions', () => {
    expect(undoPatch(deploy(), undoTarget(deploy(), revisions, 2))).toBeUndefined();
    expect(() => undoTarget(deploy(), revisions, 9)).toThrow('unable to find specified revision 9 in history');
    expect(() => undoTarget(deploy(), revisions.slice(1), 0)).toThrow('no rollout history found for deployment "web"');
  });
});

describe('drain filters and durations', () => {
  const pod = (name: string, owner?: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ownerReferences: owner ? [{ apiVersion: 'apps/v1', kind: owner, name: 'o', uid: 'u', controller: true }] : undefined } });
  it('refuses unmanaged pods without --force, skips DaemonSet pods with --ignore-daemonsets', () => {
    expect(planDrain([pod('bare')], { force: false, ignoreDaemonSets: false, deleteEmptyDirData: false }).errors).toEqual(['cannot delete Pods that declare no controller (use --force to override): default/bare']);
    const plan = planDrain([pod('a', 'ReplicaSet'), pod('d', 'DaemonSet')], { force: false, ignoreDaemonSets: true, deleteEmptyDirData: false });
    expect(plan.deletable.map((p) => p.metadata.name)).toEqual(['a']);
    expect(plan.warnings).toEqual(['Warning: ignoring DaemonSet-managed Pods: default/d']);
  });
  it('parses Go durations', () => {
    expect(parseDuration('1m30s', 'timeout')).toBe(90_000);
    expect(() => parseDuration('5x', 'timeout')).toThrow('invalid duration');
  });
});
