// The blocking pops over the shared store's list and sorted-set operations (store/lists.ts, store/zsets.ts):
// the adapter between what a blocked client asks for (blocking/serve.ts) and the store's own API.

import type { PopOps } from './serve.js';

export const STORE_POPS: PopOps = {
  listPop: (store, key, fromHead, count) =>
    store.listPop(key, fromHead ? 'left' : 'right', count)?.elements ?? [],
  listMove: (store, source, destination, fromHead, toHead) =>
    store.listMove(source, destination, fromHead ? 'left' : 'right', toHead ? 'left' : 'right')?.value ??
    null,
  zsetPop: (store, key, min, count) => store.zpop([key], min, count)?.popped ?? [],
};
