// What the store's unit tests share: a SharedStore on a fake clock they move by hand, latin1 helpers for keys
// and values, and the message of the CommandError an operation throws.

import { CommandError } from '../../src/core/errors.js';
import { SharedStore } from '../../src/core/store/store.js';

export class FakeClock {
  now = 1_700_000_000_000;
  readonly read = (): number => this.now;
}

/** A fixed hash seed: where keys and members land (and so what sampling draws) is the same on every run. */
const TEST_HASH_SEED = 0x5eed;

export function setup(
  options: { segments?: number; initialBytes?: number; maxBytes?: number; hashSeed?: number } = {},
) {
  const clock = new FakeClock();
  const store = SharedStore.create({ clock: clock.read, hashSeed: TEST_HASH_SEED, ...options });
  return { clock, store };
}

export const b = (s: string): Buffer => Buffer.from(s, 'latin1');
export const str = (v: Buffer | null): string | null => (v === null ? null : v.toString('latin1'));

export function commandError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof CommandError) return error.message;
    throw error;
  }
  throw new Error('expected a CommandError');
}
