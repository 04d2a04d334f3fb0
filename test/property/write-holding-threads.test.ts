// store.writeHolding of one key across real threads: four workers each read-modify-write one shared counter
// inside the hold, so no increment may be lost. Without the hold (or with a hold another thread can enter) two
// threads read the same value between one's get and its set, and the count ends short. The workers run the
// compiled store (dist/): `npm run build` first.
import { describe, expect, it } from 'vitest';
import { builtStore, runStoreWorker } from '../support/store-threads.js';

const workerUrl = new URL('./write-holding-worker.mjs', import.meta.url);
const THREADS = 4;
const EACH = 20_000;

describe('writeHolding of one key across threads', () => {
  it('keeps every read-modify-write of a shared key whole', async () => {
    const { SharedStore } = await builtStore();
    const store = SharedStore.create({ clock: Date.now });
    await Promise.all(
      Array.from({ length: THREADS }, (_, id) => runStoreWorker(workerUrl, store.handles(), id, [], EACH)),
    );
    expect(store.get(Buffer.from('counter'))?.toString()).toBe(String(THREADS * EACH));
  });
});
