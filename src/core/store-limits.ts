// Keeps the store's own limits in step with the config: proto-max-bulk-len also caps values that APPEND and
// SETRANGE grow, as in Redis. The cap lives in the store's shared memory, so whichever thread applies a
// CONFIG SET, every thread sees the new cap at once (no waiting for the change to be relayed).

import type { Config } from './config.js';
import type { SharedStore } from './store/store.js';

export function bindStoreLimits(store: SharedStore, config: Config): void {
  const apply = (): void => store.setMaxValueBytes(config.number('proto-max-bulk-len'));
  apply();
  config.onChange((name) => {
    if (name === 'proto-max-bulk-len') apply();
  });
}
