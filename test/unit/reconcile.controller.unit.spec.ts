import type { CommandBus } from '../../actors/kernel/command-bus';
import { Controller, type Reconciler } from '../../actors/reconcile/controller';
import type { Plan } from '../../actors/reconcile/plan';
import type { ObjectsProjection } from '../../projections/objects.projection';
import type { Change } from '../../projections/object-store';

/** A bus whose sends finish when the test says so, and a projection that is always caught up. */
function fakes() {
  const pending: (() => void)[] = [];
  const bus = {
    send: () => new Promise((ok) => pending.push(() => ok({ ok: true, seq: 1, object: {} }))),
  } as unknown as CommandBus;
  let listener: ((c: Change) => void) | undefined;
  const projection = {
    subscribe: (l: (c: Change) => void) => ((listener = l), () => (listener = undefined)),
    waitFor: async () => undefined,
  } as unknown as ObjectsProjection;
  const change = (name: string) => listener?.({ seq: 1, eventId: `e-${name}`, type: 'MODIFIED', scope: 's', object: { apiVersion: 'v1', kind: 'X', metadata: { name } } });
  const finishAll = () => pending.splice(0).forEach((f) => f());
  return { bus, projection, change, finishAll, sent: () => pending.length };
}

const settle = () => new Promise((r) => setImmediate(r));
const oneCommand: Plan = { commands: [{ ref: { group: '', resource: 'x', namespace: '', name: 'n' }, payload: { op: 'delete', options: {} }, reason: 'r' }] };

function reconcilerOf(planned: string[]): Reconciler {
  return { identity: 'test', keysFor: (c) => [c.object.metadata.name as string], allKeys: () => [], plan: (key) => (planned.push(key), oneCommand) };
}

describe('controller driver: workers', () => {
  it('reconciles up to `workers` keys at once', async () => {
    const f = fakes();
    const planned: string[] = [];
    const c = new Controller(reconcilerOf(planned), f.projection, f.bus, { resyncMs: 60_000, clock: () => 0, workers: 3 });
    c.start();
    ['a', 'b', 'c', 'd', 'e'].forEach(f.change);
    await settle();
    expect(planned).toEqual(['a', 'b', 'c']);
    f.finishAll();
    await settle();
    expect(planned).toEqual(['a', 'b', 'c', 'd', 'e']);
    f.finishAll();
    await c.idle();
    c.stop();
  });

  it('never reconciles one key twice at once: a key queued while in flight runs again afterwards', async () => {
    const f = fakes();
    const planned: string[] = [];
    const c = new Controller(reconcilerOf(planned), f.projection, f.bus, { resyncMs: 60_000, clock: () => 0, workers: 4 });
    c.start();
    f.change('a');
    await settle();
    f.change('a');
    f.change('a');
    await settle();
    expect(planned).toEqual(['a']);
    f.finishAll();
    await settle();
    expect(planned).toEqual(['a', 'a']);
    f.finishAll();
    await c.idle();
    c.stop();
  });

  it('with the default of one worker, keys go one after another', async () => {
    const f = fakes();
    const planned: string[] = [];
    const c = new Controller(reconcilerOf(planned), f.projection, f.bus, { resyncMs: 60_000, clock: () => 0 });
    c.start();
    ['a', 'b'].forEach(f.change);
    await settle();
    expect(planned).toEqual(['a']);
    f.finishAll();
    await settle();
    expect(planned).toEqual(['a', 'b']);
    f.finishAll();
    await c.idle();
    c.stop();
  });
});
