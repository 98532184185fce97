import { randomUUID } from 'node:crypto';

/**
 * The kernel's only sources of time and fresh ids, injected where they are needed so deciders
 * never touch them and tests can substitute their own.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

export const randomId = (): string => randomUUID();
