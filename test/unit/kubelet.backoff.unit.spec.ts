import { goDuration, restartBackOff, restartDelayMs } from '../../runtime/kubelet/backoff';

const S = 1000;
const MIN = 60 * S;
/** Attempts 0..n-1, each running `runMs` and crashing; the gap between runs does not matter. */
const crashes = (n: number, runMs = S, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ attempt: from + i, startedAtMs: i * 1_000 * S, finishedAtMs: i * 1_000 * S + runMs }));

describe('kubelet back-off: when a container keeps crashing', () => {
  it.each([
    [1, 0],
    [2, 10 * S],
    [3, 20 * S],
    [4, 40 * S],
    [5, 80 * S],
    [6, 160 * S],
    [7, 300 * S],
    [8, 300 * S],
    [20, 300 * S],
  ])('after %i crashes → waits %i ms (the first restart is immediate, then 10 s doubling, capped at 300 s)', (n, delay) => {
    expect(restartDelayMs(crashes(n))).toBe(delay);
  });

  it('a run longer than 10 minutes resets it: restart at once, then 10 s again', () => {
    const runs = [...crashes(5), { attempt: 5, startedAtMs: 10_000 * S, finishedAtMs: 10_000 * S + 11 * MIN }];
    expect(restartDelayMs(runs)).toBe(0);
    expect(restartDelayMs([...runs, { attempt: 6, startedAtMs: 20_000 * S, finishedAtMs: 20_000 * S + S }])).toBe(10 * S);
    expect(restartDelayMs([...runs, { attempt: 6, startedAtMs: 20_000 * S, finishedAtMs: 20_000 * S + S }, { attempt: 7, startedAtMs: 30_000 * S, finishedAtMs: 30_000 * S + S }])).toBe(20 * S);
  });

  it('exactly 10 minutes is not longer than 10 minutes', () => {
    expect(restartDelayMs([...crashes(2), { attempt: 2, startedAtMs: 5_000 * S, finishedAtMs: 5_000 * S + 10 * MIN }])).toBe(20 * S);
  });

  it('attempts the runtime has removed count as short runs', () => {
    expect(restartDelayMs(crashes(2, S, 3))).toBe(80 * S);
    expect(restartDelayMs([{ attempt: 9, startedAtMs: 0, finishedAtMs: S }])).toBe(300 * S);
  });

  it('the order the runtime lists attempts in does not matter', () => {
    expect(restartDelayMs(crashes(4).reverse())).toBe(40 * S);
  });

  it('the back-off ends its delay after the newest attempt finished', () => {
    expect(restartBackOff(crashes(3))).toEqual({ delayMs: 20 * S, untilMs: 2_000 * S + S + 20 * S });
    expect(restartBackOff([])).toEqual({ delayMs: 0, untilMs: 0 });
  });
});

describe('kubelet back-off: Go durations in messages', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [1_000, '1s'],
    [1_234, '1.234s'],
    [1_500, '1.5s'],
    [10_000, '10s'],
    [80_000, '1m20s'],
    [160_000, '2m40s'],
    [300_000, '5m0s'],
    [61_050, '1m1.05s'],
    [3_600_000, '1h0m0s'],
    [-2_000, '-2s'],
  ])('%i ms → %s', (ms, text) => {
    expect(goDuration(ms)).toBe(text);
  });
});
