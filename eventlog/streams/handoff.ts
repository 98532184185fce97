/**
 * A one-place queue between a producer and a `for await` consumer: `put` resolves only once the
 * consumer is done with the value (it asked for the next one, or stopped), so the producer's pace
 * is the consumer's. That is what turns an HTTP response's back-pressure into stream credit.
 */
export class Handoff<T> implements AsyncIterableIterator<T> {
  private held?: { value: T; taken: () => void };
  private waiter?: (result: IteratorResult<T>) => void;
  /** Called back when the consumer asks for the next value: the previous one is done with. */
  private inUse?: () => void;
  private finished = false;

  /** `onReturn`: the consumer stopped early (break, throw): the producer should stop too. */
  constructor(private readonly onReturn: () => void = () => undefined) {}

  put(value: T): Promise<void> {
    if (this.finished) return Promise.resolve();
    return new Promise((taken) => {
      if (this.waiter) {
        const deliver = this.waiter;
        this.waiter = undefined;
        this.inUse = taken;
        deliver({ value, done: false });
      } else {
        this.held = { value, taken };
      }
    });
  }

  /** No more values: the consumer's loop ends after what it holds; a waiting producer is released. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.release();
    this.held?.taken();
    this.held = undefined;
    this.waiter?.({ value: undefined, done: true });
    this.waiter = undefined;
  }

  next(): Promise<IteratorResult<T>> {
    this.release();
    if (this.held) {
      const { value, taken } = this.held;
      this.held = undefined;
      this.inUse = taken;
      return Promise.resolve({ value, done: false });
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((ok) => (this.waiter = ok));
  }

  return(): Promise<IteratorResult<T>> {
    const early = !this.finished;
    this.end();
    this.release();
    if (early) this.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private release(): void {
    const done = this.inUse;
    this.inUse = undefined;
    done?.();
  }
}
