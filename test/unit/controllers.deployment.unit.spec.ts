import { planDeployment } from '../../actors/controllers/deployment.plan';
import { computeHash, equalIgnoringHash, fnv32a, safeEncodeString } from '../../actors/controllers/pod-template-hash';
import { fenceposts } from '../../actors/controllers/rollout-limits';
import type { Deployment, ReplicaSet } from '../../actors/controllers/workloads';
import { rfc3339 } from '../../actors/ids';
import type { KubeObject } from '../../actors/kinds/types';
import type { Plan, PlannedCommand } from '../../actors/reconcile/plan';
import { deployment, rolloutStatusMessage, T0, template, World } from './controllers.fixtures';
import { frozen } from './patch.fixtures';

const rsName = (image: string, collisionCount?: number) => `web-${computeHash(template(image), collisionCount)}`;
const imageOf = (rs: ReplicaSet) => (rs.spec.template?.spec?.containers as { image: string }[])[0].image;
const byImage = (world: World, image: string) => world.replicaSets().find((rs) => imageOf(rs) === image);
const sizes = (world: World) => Object.fromEntries(world.replicaSets().map((rs) => [imageOf(rs), rs.spec.replicas]));
const messages = (world: World) => world.events().map((e) => e.message);
const on = (plan: Plan, resource: string) => plan.commands.filter((c) => c.ref.resource === resource);
const created = (plan: Plan, resource: string) => on(plan, resource).filter((c) => c.payload.op === 'create').map((c) => (c.payload.op === 'create' ? c.payload.object : ({} as KubeObject)));
const reasonsSince = (world: World, from: number) => world.applied.slice(from).map((c) => c.reason);
const condition = (d: Deployment, type: string) => d.status?.conditions?.find((c) => c.type === type);

/** One round: the deployment controller, the replicaset controller, the kubelet finishing deletions and starting up to `start` pods, the replicaset controller again. */
function tick(world: World, start: number, observe: () => void): void {
  world.deploymentPass();
  observe();
  world.replicaSetPasses();
  observe();
  world.reapTerminating();
  world.startPods(start);
  world.replicaSetPasses();
  observe();
  world.nowMs += 1000;
}

/** Rounds until no controller has anything left to do; returns how many it took. */
function converge(world: World, start = 100, observe: () => void = () => undefined): number {
  for (let round = 1; round <= 200; round++) {
    tick(world, start, observe);
    if (world.quiet()) return round;
  }
  throw new Error('did not converge in 200 rounds');
}

function convergedWorld(options: Parameters<typeof deployment>[0] = {}): World {
  const world = new World(deployment(options));
  converge(world);
  return world;
}

describe('pod-template-hash', () => {
  it('FNV-32a matches the reference vectors', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(fnv32a(bytes(''))).toBe(0x811c9dc5);
    expect(fnv32a(bytes('a'))).toBe(0xe40c292c);
    expect(fnv32a(bytes('foobar'))).toBe(0xbf9cf968);
  });

  it('SafeEncodeString maps decimal digits as upstream does', () => {
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
  });

  it('is stable, ignores key order, and changes with the template and the collisionCount', () => {
    const a = computeHash(template('nginx:1'), undefined);
    expect(a).toMatch(/^[456789bcdf]{1,10}$/);
    expect(computeHash({ spec: { containers: [{ image: 'nginx:1', name: 'web' }] }, metadata: { labels: { app: 'web' } } }, undefined)).toBe(a);
    expect(computeHash(template('nginx:2'), undefined)).not.toBe(a);
    expect(computeHash(template('nginx:1'), 0)).not.toBe(a);
    expect(computeHash(template('nginx:1'), 1)).not.toBe(computeHash(template('nginx:1'), 0));
  });

  it('templates compare equal without their pod-template-hash label, and with empty values absent', () => {
    const withHash = template('nginx:1', { app: 'web', 'pod-template-hash': 'xyz' });
    expect(equalIgnoringHash(withHash, template('nginx:1'))).toBe(true);
    expect(equalIgnoringHash({ ...template('nginx:1'), metadata: { labels: { app: 'web' }, annotations: {} } }, template('nginx:1'))).toBe(true);
    expect(equalIgnoringHash(withHash, template('nginx:2'))).toBe(false);
  });
});

describe('rollout limits', () => {
  const limits = (replicas: number, maxSurge?: number | string, maxUnavailable?: number | string) => {
    const f = fenceposts(deployment({ replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } }));
    return [f.maxSurge.value, f.maxUnavailable.value];
  };

  it('percentages: surge rounds up, unavailability rounds down', () => {
    expect(limits(10, '25%', '25%')).toEqual([3, 2]);
    expect(limits(3, '25%', '25%')).toEqual([1, 0]);
    expect(fenceposts(deployment({ replicas: 10 })).maxSurge.text).toBe('maxSurge 25% of 10 = 3 (rounded up)');
  });

  it('both resolving to 0 makes unavailability 1; it never exceeds the replicas; Recreate has neither', () => {
    expect(limits(5, 0, '10%')).toEqual([0, 1]);
    expect(limits(5, 1, 20)).toEqual([1, 5]);
    expect(limits(0, 1, 1)).toEqual([1, 0]);
    const recreate = fenceposts(deployment({ strategy: { type: 'Recreate' } }));
    expect([recreate.maxSurge.value, recreate.maxUnavailable.value]).toEqual([0, 0]);
  });
});

describe('deployment plan: when created from scratch', () => {
  const d = frozen(deployment());
  const plan = planDeployment(d, [], new Map(), T0);
  const name = rsName('nginx:1');

  it('create → a ReplicaSet <deployment>-<hash> at revision 1, as large as maxSurge allows', () => {
    const [rs] = created(plan, 'replicasets') as ReplicaSet[];
    expect(rs.metadata).toEqual({
      name,
      namespace: 'default',
      labels: { app: 'web', 'pod-template-hash': computeHash(template('nginx:1'), undefined) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-deployment-web', controller: true, blockOwnerDeletion: true }],
      annotations: { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' },
    });
    const hash = computeHash(template('nginx:1'), undefined);
    expect(rs.spec).toEqual({
      replicas: 3,
      selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } },
      template: template('nginx:1', { app: 'web', 'pod-template-hash': hash }),
    });
    expect(on(plan, 'replicasets')[0].reason).toBe(
      `no ReplicaSet runs the Deployment's template (pod-template-hash ${hash}): create ${name} at revision 1 with 3 replicas: maxSurge 25% of 3 = 1 (rounded up) allows 4 pods, 0 counted, so +3 (3 still wanted)`,
    );
  });

  it('the Deployment records revision 1, Progressing NewReplicaSetCreated and Available False, and looks again at the progress deadline', () => {
    const deployments = on(plan, 'deployments');
    expect(deployments[0].payload).toEqual({
      op: 'patch', patchType: 'merge', patch: { metadata: { annotations: { 'deployment.kubernetes.io/revision': '1' } } }, target: 'main', fieldManager: 'deployment-controller', force: false,
    });
    const time = rfc3339(T0);
    expect(deployments[1].payload).toEqual({
      op: 'patch',
      patchType: 'merge',
      target: 'status',
      fieldManager: 'deployment-controller',
      force: false,
      patch: {
        status: {
          observedGeneration: 1,
          unavailableReplicas: 3,
          conditions: [
            { type: 'Progressing', status: 'True', lastUpdateTime: time, lastTransitionTime: time, reason: 'NewReplicaSetCreated', message: `Created new replica set "${name}"` },
            { type: 'Available', status: 'False', lastUpdateTime: time, lastTransitionTime: time, reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
          ],
        },
      },
    });
    expect(plan.requeueAfterMs).toBe(600_001);
  });

  it('event → ScalingReplicaSet on the Deployment, with a deterministic name', () => {
    const [event] = created(plan, 'events');
    expect(event).toMatchObject({
      metadata: { namespace: 'default' },
      involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'default', uid: 'uid-deployment-web' },
      reason: 'ScalingReplicaSet',
      message: `Scaled up replica set ${name} from 0 to 3`,
      type: 'Normal',
      source: { component: 'deployment-controller' },
      count: 1,
    });
    expect(event.metadata.name).toMatch(/^web\.[0-9a-f]+$/);
    expect(planDeployment(d, [], new Map(), T0)).toEqual(plan);
  });
});

describe('deployment plan: when converged', () => {
  const world = convergedWorld();
  const d = world.deployment();

  it('plans nothing, and needs no requeue', () => {
    expect(planDeployment(d, world.replicaSets(), world.podsByReplicaSet(), world.nowMs + 3_600_000)).toEqual({ commands: [] });
  });

  it('status is what `kubectl rollout status` calls a finished rollout', () => {
    const name = rsName('nginx:1');
    expect(d.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(d.status?.unavailableReplicas).toBeUndefined();
    expect(condition(d, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
    expect(condition(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}" has successfully progressed.` });
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(rolloutStatusMessage(d)).toBe('deployment "web" successfully rolled out');
  });
});

describe('deployment plan: when scaled', () => {
  it('up → the one ReplicaSet grows to the new size, with its annotations, in one write', () => {
    const world = convergedWorld();
    world.editDeployment({ replicas: 5 });
    const plan = world.deploymentPass();
    const [write] = on(plan, 'replicasets');
    expect(write.payload).toEqual({
      op: 'patch',
      patchType: 'merge',
      patch: { metadata: { annotations: { 'deployment.kubernetes.io/desired-replicas': '5', 'deployment.kubernetes.io/max-replicas': '7' } }, spec: { replicas: 5 } },
      target: 'main',
      fieldManager: 'deployment-controller',
      force: false,
    });
    expect(messages(world)).toContain(`Scaled up replica set ${rsName('nginx:1')} from 3 to 5`);
    converge(world);
    expect(world.pods()).toHaveLength(5);
    expect(rolloutStatusMessage(world.deployment())).toBe('deployment "web" successfully rolled out');
  });

  it('down → shrinks, and the status follows', () => {
    const world = convergedWorld({ replicas: 4 });
    world.editDeployment({ replicas: 1 });
    world.deploymentPass();
    expect(messages(world)).toContain(`Scaled down replica set ${rsName('nginx:1')} from 4 to 1`);
    converge(world);
    expect(world.pods()).toHaveLength(1);
    expect(world.deployment().status).toMatchObject({ replicas: 1, updatedReplicas: 1, availableReplicas: 1, observedGeneration: 2 });
  });

  it('mid-rollout → every active ReplicaSet grows in proportion to its size', () => {
    const world = convergedWorld({ replicas: 10 });
    world.editDeployment({ template: template('nginx:2') });
    world.deploymentPass();
    world.replicaSetPasses();
    expect(sizes(world)).toEqual({ 'nginx:1': 8, 'nginx:2': 3 });
    world.editDeployment({ replicas: 20 });
    const from = world.applied.length;
    world.deploymentPass();
    // 25 pods allowed (20 + maxSurge 5), 11 now: nginx:1 gets 8 × 25 / 13 ≈ 15 (+7) and the 4 left over, nginx:2 3 × 25 / 13 ≈ 6 (+3).
    expect(sizes(world)).toEqual({ 'nginx:1': 19, 'nginx:2': 6 });
    expect(reasonsSince(world, from).find((r) => r.includes(`${rsName('nginx:1')} 8 → 19`))).toBe(
      `proportional scaling: the Deployment allows 25 pods (20 + maxSurge 25% of 20 = 5 (rounded up)) and its ReplicaSets have 11, so add 14 in proportion; ${rsName('nginx:1')} 8 → 19 (8 × 25 / 13 ≈ 15, plus 4 left over from rounding)`,
    );
    converge(world, 4);
    expect(sizes(world)).toEqual({ 'nginx:1': 0, 'nginx:2': 20 });
  });
});

describe('deployment plan: rolling update of 10 replicas, maxSurge 25%, maxUnavailable 25%', () => {
  const world = convergedWorld({ replicas: 10 });
  const oldName = rsName('nginx:1');
  const newName = rsName('nginx:2');
  world.editDeployment({ template: template('nginx:2') });
  const from = world.applied.length;
  let minAvailable = Number.POSITIVE_INFINITY;
  let maxPods = 0;
  const statusMessages = new Set<string>();
  const rounds = converge(world, 2, () => {
    minAvailable = Math.min(minAvailable, world.availablePods().length);
    maxPods = Math.max(maxPods, world.pods().filter((p) => !p.metadata.deletionTimestamp).length);
    statusMessages.add(rolloutStatusMessage(world.deployment()));
  });

  it('the first step creates the new ReplicaSet at 3 and takes the old one from 10 to 8', () => {
    const firstStep = world.applied.slice(from).filter((c) => c.ref.resource === 'replicasets').slice(0, 2);
    expect(firstStep.map((c) => [c.ref.name, c.payload.op])).toEqual([[oldName, 'patch'], [newName, 'create']]);
    expect(firstStep[0].reason).toBe(`scale down old ReplicaSet ${oldName} from 10 to 8: 10 available − 8 to keep available (10 − maxUnavailable 25% of 10 = 2 (rounded down)) = 2 may go`);
    expect(messages(world)).toEqual(expect.arrayContaining([`Scaled up replica set ${newName} from 0 to 3`, `Scaled down replica set ${oldName} from 10 to 8`]));
  });

  it('every scale-up says why, with maxSurge arithmetic', () => {
    expect(reasonsSince(world, from)).toContain(`scale up new ReplicaSet ${newName} from 3 to 5: maxSurge 25% of 10 = 3 (rounded up) allows 13 pods, 11 counted, so +2 (7 still wanted)`);
  });

  it('availability never drops below 10 − 2 and there are never more than 10 + 3 pods', () => {
    expect(minAvailable).toBe(8);
    expect(maxPods).toBe(13);
    expect(rounds).toBeGreaterThan(4);
  });

  it('ends with the new ReplicaSet at 10 at revision 2, the old one at 0 and kept, and the Deployment complete', () => {
    expect(sizes(world)).toEqual({ 'nginx:1': 0, 'nginx:2': 10 });
    expect(byImage(world, 'nginx:2')?.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(world.pods().every((p) => (p.spec?.containers as { image: string }[])[0].image === 'nginx:2')).toBe(true);
    const d = world.deployment();
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(d.status).toMatchObject({ observedGeneration: 2, replicas: 10, updatedReplicas: 10, readyReplicas: 10, availableReplicas: 10 });
    expect(condition(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${newName}" has successfully progressed.` });
  });

  it('`kubectl rollout status` saw it wait for updates, then for old replicas, then finish', () => {
    expect([...statusMessages].some((m) => /^Waiting for deployment "web" rollout to finish: \d+ out of 10 new replicas have been updated\.\.\.$/.test(m))).toBe(true);
    expect(statusMessages).toContain('Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...');
    expect(rolloutStatusMessage(world.deployment())).toBe('deployment "web" successfully rolled out');
  });

  it('converged → no commands', () => {
    expect(planDeployment(world.deployment(), world.replicaSets(), world.podsByReplicaSet(), world.nowMs)).toEqual({ commands: [] });
  });

  it('every command planned on the way said why', () => {
    expect(world.applied.filter((c) => c.reason.trim() === '')).toEqual([]);
  });
});

describe('deployment plan: Recreate', () => {
  const world = convergedWorld({ strategy: { type: 'Recreate' } });
  const oldName = rsName('nginx:1');
  const newName = rsName('nginx:2');
  world.editDeployment({ template: template('nginx:2') });

  it('scales the old ReplicaSet to 0 and creates nothing new while its pods still exist', () => {
    const first = world.deploymentPass();
    expect(on(first, 'replicasets').map((c) => [c.ref.name, c.reason])).toEqual([[oldName, `Recreate: scale old ReplicaSet ${oldName} from 3 to 0; no new pod starts while an old one runs`]]);
    world.replicaSetPasses();
    expect(world.pods().every((p) => p.metadata.deletionTimestamp)).toBe(true);
    expect(created(world.deploymentPass(), 'replicasets')).toEqual([]);
    world.replicaSetPasses();
    expect(world.replicaSet(oldName)?.status?.replicas).toBe(0);
    expect(created(world.deploymentPass(), 'replicasets')).toEqual([]);
  });

  it('once the old pods are gone, creates the new ReplicaSet at full size', () => {
    world.reapTerminating();
    world.deploymentPass();
    expect(world.replicaSet(newName)?.spec.replicas).toBe(3);
    expect(messages(world)).toContain(`Scaled up replica set ${newName} from 0 to 3`);
  });

  it('completes with old and new pods never running together, `kubectl rollout status` waiting on availability', () => {
    let overlap = false;
    const statusMessages = new Set<string>();
    converge(world, 1, () => {
      const images = new Set(world.pods().map((p) => (p.spec?.containers as { image: string }[])[0].image));
      overlap ||= images.size > 1;
      statusMessages.add(rolloutStatusMessage(world.deployment()));
    });
    expect(overlap).toBe(false);
    expect(statusMessages).toContain('Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...');
    expect(sizes(world)).toEqual({ 'nginx:1': 0, 'nginx:2': 3 });
    expect(rolloutStatusMessage(world.deployment())).toBe('deployment "web" successfully rolled out');
  });
});

describe('deployment plan: pause and resume', () => {
  const world = convergedWorld();
  const oldName = rsName('nginx:1');

  it('paused → Progressing Unknown (DeploymentPaused), and a new template starts no rollout', () => {
    world.editDeployment({ paused: true });
    const plan = world.deploymentPass();
    expect(plan.commands.map((c) => c.ref.resource)).toEqual(['deployments']);
    expect(condition(world.deployment(), 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
    world.editDeployment({ template: template('nginx:2') });
    converge(world);
    expect(world.replicaSets().map((rs) => rs.metadata.name)).toEqual([oldName]);
    expect(world.deployment().status?.observedGeneration).toBe(3);
    expect(world.deployment().status?.updatedReplicas ?? 0).toBe(0);
    expect(rolloutStatusMessage(world.deployment())).toBe('Waiting for deployment "web" rollout to finish: 0 out of 3 new replicas have been updated...');
  });

  it('paused → scaling still applies, and no progress deadline runs', () => {
    world.editDeployment({ replicas: 5 });
    world.deploymentPass();
    expect(messages(world)).toContain(`Scaled up replica set ${oldName} from 3 to 5`);
    converge(world);
    expect(world.pods()).toHaveLength(5);
    expect(planDeployment(world.deployment(), world.replicaSets(), world.podsByReplicaSet(), world.nowMs + 3_600_000)).toEqual({ commands: [] });
  });

  it('resumed → the rollout proceeds to the new template', () => {
    world.editDeployment({ paused: false });
    world.deploymentPass();
    expect(world.replicaSet(rsName('nginx:2'))).toBeDefined();
    converge(world);
    expect(sizes(world)).toEqual({ 'nginx:1': 0, 'nginx:2': 5 });
    expect(condition(world.deployment(), 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
  });
});

describe('deployment plan: rollback to an older template', () => {
  const world = convergedWorld();
  const first = rsName('nginx:1');
  world.editDeployment({ template: template('nginx:2') });
  converge(world);
  world.editDeployment({ template: template('nginx:1') });
  const plan = world.deploymentPass();

  it('the old ReplicaSet becomes current again: revision bumped to 3, the old number kept in revision-history, no new ReplicaSet', () => {
    expect(created(plan, 'replicasets')).toEqual([]);
    const write = on(plan, 'replicasets').find((c) => c.ref.name === first) as PlannedCommand;
    expect(write.payload).toMatchObject({
      op: 'patch',
      patch: { metadata: { annotations: { 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' } }, spec: { replicas: 1 } },
    });
    expect(write.reason).toContain("runs the Deployment's current template: revision 1 → 3 (its template is current again)");
    expect(world.deployment().metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
  });

  it('rolls back like any rollout and keeps both revisions for `rollout history`', () => {
    converge(world);
    expect(sizes(world)).toEqual({ 'nginx:1': 3, 'nginx:2': 0 });
    const revisions = Object.fromEntries(world.replicaSets().map((rs) => [imageOf(rs), rs.metadata.annotations?.['deployment.kubernetes.io/revision']]));
    expect(revisions).toEqual({ 'nginx:1': '3', 'nginx:2': '2' });
    expect(rolloutStatusMessage(world.deployment())).toBe('deployment "web" successfully rolled out');
  });
});

describe('deployment plan: revisionHistoryLimit', () => {
  it('keeps only that many old ReplicaSets once a rollout completes, deleting the lowest revisions', () => {
    const world = convergedWorld({ revisionHistoryLimit: 1 });
    for (const image of ['nginx:2', 'nginx:3']) {
      world.editDeployment({ template: template(image) });
      converge(world);
    }
    expect(Object.keys(sizes(world)).sort()).toEqual(['nginx:2', 'nginx:3']);
    const deletion = world.applied.find((c) => c.payload.op === 'delete' && c.ref.resource === 'replicasets');
    expect(deletion?.ref.name).toBe(rsName('nginx:1'));
    expect(deletion?.reason).toBe(`revisionHistoryLimit 1: 2 old ReplicaSets, 1 too many; ${rsName('nginx:1')} (revision 1) is among the oldest and has no pods`);
  });

  it('never deletes a ReplicaSet whose scale-down its controller has not confirmed', () => {
    const world = convergedWorld({ revisionHistoryLimit: 0 });
    world.editDeployment({ template: template('nginx:2') });
    converge(world);
    const old = world.replicaSets();
    expect(old.map(imageOf)).toEqual(['nginx:2']);
    const unsettled: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-old', namespace: 'default', uid: 'uid-old', generation: 4, creationTimestamp: rfc3339(T0), annotations: { 'deployment.kubernetes.io/revision': '1' } },
      spec: { replicas: 0, template: template('nginx:0') },
      status: { replicas: 0, observedGeneration: 3 },
    };
    const plan = planDeployment(world.deployment(), [...old, unsettled], world.podsByReplicaSet(), world.nowMs);
    expect(plan.commands).toEqual([]);
  });
});

describe('deployment plan: progress deadline', () => {
  const world = new World(deployment({ progressDeadlineSeconds: 60 }));
  const name = rsName('nginx:1');

  it('while pods make progress, Progressing says ReplicaSetUpdated and the deadline moves', () => {
    expect(world.deploymentPass().requeueAfterMs).toBe(60_001);
    world.replicaSetPasses();
    world.replicaSetPasses();
    world.nowMs += 1000;
    const plan = world.deploymentPass();
    expect(condition(world.deployment(), 'Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${name}" is progressing.`, lastUpdateTime: rfc3339(T0 + 1000) });
    expect(plan.requeueAfterMs).toBe(60_001);
  });

  it('at the deadline nothing happens yet; just past it, Progressing turns False with ProgressDeadlineExceeded', () => {
    world.nowMs = T0 + 61_000;
    const atDeadline = world.deploymentPass();
    expect(atDeadline).toEqual({ commands: [], requeueAfterMs: 1 });
    world.nowMs = T0 + 61_001;
    const past = world.deploymentPass();
    expect(past.requeueAfterMs).toBeUndefined();
    expect(condition(world.deployment(), 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${name}" has timed out progressing.` });
    expect(rolloutStatusMessage(world.deployment())).toBe('error: deployment "web" exceeded its progress deadline');
  });

  it('pods becoming available afterwards still complete the rollout', () => {
    world.startPods(3);
    world.replicaSetPasses();
    world.deploymentPass();
    expect(condition(world.deployment(), 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
  });
});

describe('deployment plan: edge cases', () => {
  it('a hash collision with a ReplicaSet of another template raises collisionCount instead of creating', () => {
    const d = deployment();
    const squatter: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: rsName('nginx:1'), namespace: 'default', uid: 'uid-squatter', creationTimestamp: rfc3339(T0), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-deployment-web', controller: true }] },
      spec: { replicas: 0, template: template('busybox') },
    };
    const plan = planDeployment(d, [squatter], new Map(), T0);
    expect(plan.commands.map((c) => c.payload)).toEqual([{ op: 'patch', patchType: 'merge', patch: { status: { collisionCount: 1 } }, target: 'status', fieldManager: 'deployment-controller', force: false }]);
    const retry = planDeployment({ ...d, status: { collisionCount: 1 } }, [squatter], new Map(), T0);
    expect(created(retry, 'replicasets').map((rs) => rs.metadata.name)).toEqual([rsName('nginx:1', 1)]);
  });

  it('a Deployment being deleted only has its status kept', () => {
    const d: Deployment = { ...deployment(), metadata: { ...deployment().metadata, deletionTimestamp: rfc3339(T0) } };
    const plan = planDeployment(d, [], new Map(), T0);
    expect(plan.commands.map((c) => [c.ref.resource, c.payload.op])).toEqual([['deployments', 'patch']]);
  });

  it('a failed pod is replaced without the Deployment doing anything', () => {
    const world = convergedWorld();
    const [victim] = world.pods();
    world.objects.set(`pods/${victim.metadata.name}`, { ...victim, status: { ...victim.status, phase: 'Failed' } });
    const [plan] = world.replicaSetPasses();
    expect(plan.commands.map((c) => c.payload.op)).toEqual(['delete', 'create', 'patch']);
    converge(world);
    expect(world.pods().filter((p) => p.status?.phase === 'Running')).toHaveLength(3);
    expect(rolloutStatusMessage(world.deployment())).toBe('deployment "web" successfully rolled out');
  });
});
