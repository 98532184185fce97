import { podsToDelete, POD_DELETION_COST_ANNOTATION } from '../../actors/controllers/pod-deletion-order';
import { BURST_REPLICAS, planReplicaSet } from '../../actors/controllers/replicaset.plan';
import type { Pod } from '../../actors/controllers/workloads';
import type { KubeObject } from '../../actors/kinds/types';
import type { Plan } from '../../actors/reconcile/plan';
import { pod, replicaSet, T0, World } from './controllers.fixtures';
import { frozen } from './patch.fixtures';

const creates = (plan: Plan) => plan.commands.filter((c) => c.payload.op === 'create');
const deletes = (plan: Plan) => plan.commands.filter((c) => c.payload.op === 'delete').map((c) => c.ref.name);
const statusPatch = (plan: Plan) => plan.commands.find((c) => c.payload.op === 'patch' && c.payload.target === 'status')?.payload;
const statusWritten = (plan: Plan) => {
  const payload = statusPatch(plan);
  return payload?.op === 'patch' ? payload.patch : undefined;
};
const created = (plan: Plan) => creates(plan).map((c) => (c.payload.op === 'create' ? c.payload.object : ({} as KubeObject)));

const settled = (replicas: number, ready = replicas) => ({ replicas, fullyLabeledReplicas: replicas, readyReplicas: ready, availableReplicas: ready, observedGeneration: 1 });

describe('replicaset plan: when no pod exists yet', () => {
  const rs = frozen(replicaSet('web-abc', 3));
  const plan = planReplicaSet(rs, [], T0);

  it('create → one pod per missing replica, named <rs>-<5 chars>, owned by the ReplicaSet, from its template', () => {
    const pods = created(plan);
    expect(pods).toHaveLength(3);
    expect(new Set(pods.map((p) => p.metadata.name)).size).toBe(3);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^web-abc-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(p.metadata.generateName).toBe('web-abc-');
      expect(p.metadata.namespace).toBe('default');
      expect(p.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': 'abc' });
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'uid-rs-web-abc', controller: true, blockOwnerDeletion: true }]);
      expect(p.spec).toEqual(rs.spec.template?.spec);
    }
    expect(creates(plan)[0].reason).toBe('ReplicaSet web-abc has 0 active pods of 3 wanted: create 3');
  });

  it('names are a function of the ReplicaSet alone: a replayed pass plans the same commands', () => {
    expect(planReplicaSet(rs, [], T0)).toEqual(plan);
  });

  it('status → replicas 0 and the observed generation, zero counts omitted', () => {
    expect(statusPatch(plan)).toEqual({ op: 'patch', patchType: 'merge', patch: { status: { replicas: 0, observedGeneration: 1 } }, target: 'status', fieldManager: 'replicaset-controller', force: false });
  });

  it('a pass whose earlier creates are not visible yet asks for the same names (creates stay idempotent)', () => {
    const world = new World(replicaSet('web-abc', 3));
    world.replicaSetPasses();
    const firstNames = world.pods().map((p) => p.metadata.name).sort();
    const stale = planReplicaSet(replicaSet('web-abc', 3), [], T0 + 1000);
    expect(created(stale).map((p) => p.metadata.name).sort()).toEqual(firstNames);
  });
});

describe('replicaset plan: when scaling', () => {
  it('up → creates only the missing pods, with names not already taken', () => {
    const rs = replicaSet('web-abc', 4);
    const first = planReplicaSet(rs, [], T0);
    const existing = created(first).slice(0, 2).map((p) => pod(p.metadata.name ?? '', rs));
    const plan = planReplicaSet(rs, existing, T0);
    const names = created(plan).map((p) => p.metadata.name);
    expect(names).toHaveLength(2);
    for (const name of names) expect(existing.map((p) => p.metadata.name)).not.toContain(name);
  });

  it('down → deletes the least established pods first (upstream ActivePods order), with uid preconditions', () => {
    const rs = replicaSet('web-abc', 2);
    const pods = [
      pod('old-ready', rs, { createdMs: T0 - 86_400_000, readySinceMs: T0 - 86_400_000 }),
      pod('unscheduled', rs, { phase: 'Pending', node: '' }),
      pod('pending', rs, { phase: 'Pending' }),
      pod('not-ready', rs, { ready: false }),
      pod('restarting', rs, { restarts: 5, createdMs: T0 - 86_400_000, readySinceMs: T0 - 86_400_000 }),
    ];
    const plan = planReplicaSet(rs, pods, T0 + 1000);
    expect(deletes(plan)).toEqual(['unscheduled', 'pending', 'not-ready']);
    expect(plan.commands.find((c) => c.ref.name === 'unscheduled')?.payload).toEqual({ op: 'delete', options: { preconditions: { uid: 'uid-pod-unscheduled' } } });
    expect(plan.commands.find((c) => c.ref.name === 'unscheduled')?.reason).toBe(
      'ReplicaSet web-abc has 5 active pods of 2 wanted: delete 3, least established first; this one is Pending, not scheduled, not ready',
    );
    expect(deletes(planReplicaSet(replicaSet('web-abc', 1), [pods[0], pods[4]], T0 + 1000))).toEqual(['restarting']);
  });

  it('at most the burst limit of pods per pass', () => {
    const rs = replicaSet('web-abc', BURST_REPLICAS + 20);
    expect(creates(planReplicaSet(rs, [], T0))).toHaveLength(BURST_REPLICAS);
    expect(creates(planReplicaSet(rs, [], T0))[0].reason).toContain(`(at most ${BURST_REPLICAS} per pass)`);
  });
});

describe('replicaset plan: when a pod failed', () => {
  const rs = replicaSet('web-abc', 3);
  const pods = [pod('a', rs), pod('b', rs), pod('dead', rs, { phase: 'Failed' })];
  const plan = planReplicaSet(rs, pods, T0);

  it('delete → the failed pod, which no longer counts, and create → its replacement under a new name', () => {
    expect(deletes(plan)).toEqual(['dead']);
    expect(created(plan)).toHaveLength(1);
    expect(created(plan)[0].metadata.name).not.toBe('dead');
    expect(plan.commands[0].reason).toBe('pod dead of ReplicaSet web-abc has phase Failed and will not run again; it no longer counts, so a replacement is created');
  });

  it('status → counts only active pods', () => {
    expect(statusPatch(plan)).toMatchObject({ patch: { status: { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2 } } });
  });
});

describe('replicaset plan: when pods are terminating', () => {
  const rs = replicaSet('web-abc', 3, { status: settled(3) });

  it('they do not count, and are not deleted again', () => {
    const plan = planReplicaSet(rs, [pod('a', rs), pod('b', rs), pod('c', rs, { terminating: true })], T0);
    expect(deletes(plan)).toEqual([]);
    expect(created(plan)).toHaveLength(1);
    expect(statusPatch(plan)).toMatchObject({ patch: { status: { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2 } } });
  });

  it('a failed pod already being deleted is left alone', () => {
    const plan = planReplicaSet(rs, [pod('a', rs), pod('b', rs), pod('c', rs), pod('x', rs, { phase: 'Failed', terminating: true })], T0);
    expect(plan.commands).toEqual([]);
  });
});

describe('replicaset plan: availability and minReadySeconds', () => {
  const rs = replicaSet('web-abc', 2, { minReadySeconds: 10, status: settled(2, 0) });
  const pods = [pod('a', rs, { readySinceMs: T0 }), pod('b', rs, { readySinceMs: T0 + 4000 })];

  it('a ready pod is available only once ready for longer than minReadySeconds; look again when the next one is', () => {
    const early = planReplicaSet(rs, pods, T0 + 5000);
    expect(statusWritten(early)).toEqual({ status: { readyReplicas: 2 } });
    expect(early.requeueAfterMs).toBe(5001);
    const exactly = planReplicaSet(rs, pods, T0 + 10_000);
    expect(statusWritten(exactly)).toEqual({ status: { readyReplicas: 2 } });
    const later = planReplicaSet(rs, pods, T0 + 10_001);
    expect(statusWritten(later)).toEqual({ status: { readyReplicas: 2, availableReplicas: 1 } });
    expect(later.requeueAfterMs).toBe(4000);
  });

  it('fullyLabeledReplicas counts pods carrying every template label', () => {
    const unlabeled: Pod = { ...pods[0], metadata: { ...pods[0].metadata, labels: { app: 'web' } } };
    expect(statusPatch(planReplicaSet(rs, [unlabeled, pods[1]], T0 + 20_000))).toMatchObject({ patch: { status: { fullyLabeledReplicas: 1 } } });
  });
});

describe('replicaset plan: when converged', () => {
  it('plans nothing', () => {
    const rs = replicaSet('web-abc', 2, { status: settled(2) });
    expect(planReplicaSet(rs, [pod('a', rs), pod('b', rs)], T0)).toEqual({ commands: [] });
  });

  it('plans nothing after the world has caught up with its own commands', () => {
    const world = new World(replicaSet('web-abc', 3));
    for (let i = 0; i < 3; i++) {
      world.replicaSetPasses();
      world.startPods(10);
      world.nowMs += 1000;
    }
    expect(world.replicaSetPasses()).toEqual([{ commands: [] }]);
    expect(world.replicaSet('web-abc')?.status).toEqual(settled(3));
  });

  it('a ReplicaSet being deleted manages no pods, only its status', () => {
    const rs = replicaSet('web-abc', 3, { deleting: true });
    const plan = planReplicaSet(rs, [pod('a', rs)], T0);
    expect(plan.commands.map((c) => c.payload.op)).toEqual(['patch']);
  });
});

describe('pod deletion order', () => {
  const rs = replicaSet('web-abc', 0);
  const day = 86_400_000;

  it('lower pod-deletion-cost goes first, before everything but phase and readiness', () => {
    const cheap = pod('cheap', rs, { annotations: { [POD_DELETION_COST_ANNOTATION]: '-5' }, createdMs: T0 - day, readySinceMs: T0 - day });
    const dear = pod('dear', rs, { annotations: { [POD_DELETION_COST_ANNOTATION]: '100' } });
    const plain = pod('plain', rs, { restarts: 9 });
    const malformed = pod('malformed', rs, { annotations: { [POD_DELETION_COST_ANNOTATION]: '+7' }, restarts: 10 });
    expect(podsToDelete([dear, plain, cheap, malformed], [], 4 - 1, T0 + day).map((p) => p.metadata.name)).toEqual(['cheap', 'malformed', 'plain']);
  });

  it('a pod sharing its node with more of the owner’s pods goes first', () => {
    const crowded = [pod('x1', rs, { node: 'n1' }), pod('x2', rs, { node: 'n1' })];
    const alone = pod('y', rs, { node: 'n2' });
    expect(podsToDelete([alone, ...crowded], [alone, ...crowded], 1, T0 + 1000).map((p) => p.metadata.name)).toEqual(['x1']);
  });

  it('ready times in the same power-of-two age bucket tie, then the uid decides; a newer bucket goes first', () => {
    const now = T0 + 1000 * 1000;
    const newer = pod('newer', rs, { readySinceMs: now - 10_000 });
    const older = pod('older', rs, { readySinceMs: now - 500_000 });
    const sameBucket = pod('same', rs, { readySinceMs: now - 10_500 });
    expect(podsToDelete([older, newer], [], 1, now).map((p) => p.metadata.name)).toEqual(['newer']);
    expect(podsToDelete([sameBucket, newer], [], 1, now).map((p) => p.metadata.name)).toEqual(['newer']);
    expect(podsToDelete([newer, sameBucket], [], 1, now).map((p) => p.metadata.uid)).toEqual(['uid-pod-newer']);
  });
});
