import { recordRestart } from '../../actors/kernel/restart-window';

describe('restart window', () => {
  const policy = { intensity: 3, periodMs: 1000 };

  it('allows up to `intensity` restarts within the period', () => {
    let w: readonly number[] = [];
    for (const t of [0, 100, 200]) {
      const r = recordRestart(w, t, policy);
      expect(r.exceeded).toBe(false);
      w = r.window;
    }
    expect(recordRestart(w, 300, policy).exceeded).toBe(true);
  });

  it('forgets restarts older than the period', () => {
    const r = recordRestart([0, 100, 200], 1150, policy);
    expect(r.window).toEqual([200, 1150]);
    expect(r.exceeded).toBe(false);
  });
});
