// Keeps the store's own limits in step with the config: proto-max-bulk-len also caps values that APPEND and
// SETRANGE grow, as in Redis, and the *-max-listpack-* / set-max-intset-entries thresholds decide when a
// container leaves its compact encoding, and maxmemory with its policy settings say when and how keys are evicted. The cap lives in the store's shared memory, so whichever thread applies a
// CONFIG SET, every thread sees the new cap at once (no waiting for the change to be relayed).

import type { Config } from './config.js';
import { DEFAULT_CONTAINER_LIMITS, type ContainerLimits } from './store/containers.js';
import { DEFAULT_EVICTION_SETTINGS, type EvictionSettings } from './store/eviction.js';
import type { SharedStore } from './store/store.js';

/**
 * `initial: false` for a thread started while the server runs (a pool worker started on demand): its config is
 * a snapshot taken when it was spawned, and writing it to the shared store would undo a CONFIG SET made since.
 * The thread that created the store has already set the limits; this one only applies its own CONFIG SETs.
 */
export function bindStoreLimits(store: SharedStore, config: Config, { initial = true } = {}): void {
  const apply = (): void => store.setMaxValueBytes(config.number('proto-max-bulk-len'));
  const applyContainer = (name: keyof ContainerLimits): void =>
    store.setContainerLimits({ [name]: config.number(name) });
  const applyEviction = (name: keyof EvictionSettings): void =>
    store.setEvictionSettings({
      [name]: name === 'maxmemory-policy' ? config.string(name) : config.number(name),
    });
  if (initial) {
    apply();
    for (const name of CONTAINER_LIMIT_NAMES) applyContainer(name);
    for (const name of EVICTION_NAMES) applyEviction(name);
  }
  config.onChange((name) => {
    if (name === 'proto-max-bulk-len') apply();
    if ((EVICTION_NAMES as readonly string[]).includes(name)) applyEviction(name as keyof EvictionSettings);
    if ((CONTAINER_LIMIT_NAMES as readonly string[]).includes(name))
      applyContainer(name as keyof ContainerLimits);
  });
}

const EVICTION_NAMES = Object.keys(DEFAULT_EVICTION_SETTINGS) as (keyof EvictionSettings)[];
const CONTAINER_LIMIT_NAMES = Object.keys(DEFAULT_CONTAINER_LIMITS) as (keyof ContainerLimits)[];
