import { Supervisor, type Child, type SupervisorFact } from '../../actors/kernel/supervisor';

/** A child that can be made to crash from the test. */
function fakeChild(log: string[], id: string) {
  let crash!: (e: Error) => void;
  const child: Child & { crash: (msg: string) => void } = {
    stop: async () => void log.push(`stop ${id}`),
    failed: new Promise<Error>((ok) => (crash = ok)),
    crash: (msg) => crash(new Error(msg)),
  };
  return child;
}

function setup(strategy: 'rest_for_one' | 'one_for_one', intensity = 2) {
  const log: string[] = [];
  const facts: SupervisorFact[] = [];
  const live: Record<string, ReturnType<typeof fakeChild>> = {};
  let now = 0;
  const spec = (id: string) => ({
    id,
    start: async () => {
      log.push(`start ${id}`);
      return (live[id] = fakeChild(log, id));
    },
  });
  const sup = new Supervisor({ name: 'root', strategy, restarts: { intensity, periodMs: 1000 }, record: (f) => facts.push(f), children: ['a', 'b', 'c'].map(spec), now: () => now });
  return { sup, log, facts, live, advance: (ms: number) => (now += ms) };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('supervisor', () => {
  it('starts children in order and stops them in reverse', async () => {
    const { sup, log } = setup('rest_for_one');
    await sup.start();
    await sup.stop();
    expect(log).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('rest_for_one restarts the crashed child and every child after it, and records it', async () => {
    const { sup, log, facts, live } = setup('rest_for_one');
    await sup.start();
    log.length = 0;
    live.b.crash('boom');
    await settle();
    expect(log).toEqual(['stop c', 'stop b', 'start b', 'start c']);
    expect(facts.filter((f) => f.type === 'supervisor.restarted')).toEqual([{ type: 'supervisor.restarted', supervisor: 'root', child: 'b', reason: 'boom' }]);
    await sup.stop();
  });

  it('one_for_one restarts only the crashed child', async () => {
    const { sup, log, live } = setup('one_for_one');
    await sup.start();
    log.length = 0;
    live.a.crash('x');
    await settle();
    expect(log).toEqual(['stop a', 'start a']);
    live.c.crash('y');
    await settle();
    expect(log).toEqual(['stop a', 'start a', 'stop c', 'start c']);
    await sup.stop();
  });

  it('escalates past its restart intensity and stops everything', async () => {
    const { sup, facts, live, log, advance } = setup('one_for_one', 2);
    await sup.start();
    for (let i = 0; i < 2; i++) {
      live.a.crash(`crash ${i}`);
      await settle();
      advance(100);
    }
    expect(facts.filter((f) => f.type === 'supervisor.escalated')).toHaveLength(0);
    live.a.crash('third');
    await settle();
    const err = await sup.failed;
    expect(err.message).toContain('a crashed too often: third');
    expect(facts.at(-4)).toMatchObject({ type: 'supervisor.escalated', child: 'a' });
    expect(log.slice(-3)).toEqual(['stop c', 'stop b', 'stop a']);
  });

  it('forgets crashes older than the period', async () => {
    const { sup, facts, live, advance } = setup('one_for_one', 2);
    await sup.start();
    for (let i = 0; i < 5; i++) {
      live.b.crash(`crash ${i}`);
      await settle();
      advance(600);
    }
    expect(facts.filter((f) => f.type === 'supervisor.escalated')).toHaveLength(0);
    expect(facts.filter((f) => f.type === 'supervisor.restarted')).toHaveLength(5);
    await sup.stop();
  });
});
