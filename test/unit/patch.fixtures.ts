import { Rejection, type FailureStatus } from '../../actors/rejection';

/** Freezes a value deeply, so a test fails loudly if a patch function mutates its input. */
export function frozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach((child) => frozen(child));
    Object.freeze(value);
  }
  return value;
}

/** The Status a call rejects with; fails the test if it returns or throws anything else. */
export function rejectionOf(call: () => unknown): FailureStatus {
  try {
    call();
  } catch (error) {
    if (error instanceof Rejection) return error.status;
    throw error;
  }
  throw new Error('expected a Rejection, but the call returned');
}
