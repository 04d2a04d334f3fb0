// The cluster commands cluster-aware clients send to every node they meet (READONLY before reading from a
// replica, READWRITE to undo it), answered as a Redis 7.0.15 without cluster support answers them
// (cluster.c readonlyCommand, readwriteCommand: cluster-enabled is no, and this server has no cluster mode).

import type { CommandSpec } from '../command.js';
import { CommandError } from '../errors.js';
import type { Reply } from '../reply.js';

const CLUSTER_DISABLED = 'ERR This instance has cluster support disabled';

const refuse = (): Reply => {
  throw new CommandError(CLUSTER_DISABLED);
};

export const clusterCommands: readonly CommandSpec[] = [
  {
    name: 'readonly',
    syntax: 'READONLY',
    summary: 'Enables read-only queries for a connection to a Redis Cluster replica node.',
    group: 'cluster',
    since: '3.0.0',
    arity: 1,
    flags: ['loading', 'stale', 'fast'],
    keys: [0, 0, 0],
    run: refuse,
  },
  {
    name: 'readwrite',
    syntax: 'READWRITE',
    summary: 'Enables read-write queries for a connection to a Redis Cluster replica node.',
    group: 'cluster',
    since: '3.0.0',
    arity: 1,
    flags: ['loading', 'stale', 'fast'],
    keys: [0, 0, 0],
    run: refuse,
  },
];
