// The command table: an explicit list, one family per file, so `grep` finds every command the server knows.

import type { CommandSpec } from '../command.js';
import { BLOCKING_LIST_COMMANDS } from './blocking-lists.js';
import { BLOCKING_ZSET_COMMANDS } from './blocking-zsets.js';
import { clusterCommands } from './cluster.js';
import { connectionCommands } from './connection.js';
import { dumpRestoreCommands } from './dump-restore.js';
import { geoCommands } from './geo.js';
import { persistenceCommands } from './persistence.js';
import { hashCommands } from './hashes.js';
import { streamCommands } from './streams.js';
import { hyperloglogCommands } from './hyperloglog.js';
import { keyspaceCommands } from './keyspace.js';
import { latencyCommand } from './latency.js';
import { listCommands } from './lists.js';
import { monitorCommands } from './monitor.js';
import { pubsubCommands } from './pubsub.js';
import { replicationCommands } from './replication.js';
import { serverCommands } from './server.js';
import { setCommands } from './sets.js';
import { slowlogCommand } from './slowlog.js';
import { aclCommand } from './acl.js';
import { shutdownCommands } from './shutdown.js';
import { sortCommands } from './sort.js';
import { stringCommands } from './strings.js';
import { transactionCommands } from './transactions.js';
import { scriptingCommands } from './scripting.js';
import { fcallCommands } from './fcall.js';
import { functionCommands } from './functions.js';
import { zsetCommands } from './zsets.js';

export const ALL_COMMANDS: readonly CommandSpec[] = [
  ...connectionCommands,
  ...stringCommands,
  ...keyspaceCommands,
  ...sortCommands,
  ...setCommands,
  ...listCommands,
  ...BLOCKING_LIST_COMMANDS,
  ...serverCommands,
  ...monitorCommands,
  ...transactionCommands,
  ...scriptingCommands,
  ...functionCommands,
  ...fcallCommands,
  ...pubsubCommands,
  ...hashCommands,
  ...streamCommands,
  ...hyperloglogCommands,
  ...zsetCommands,
  ...BLOCKING_ZSET_COMMANDS,
  ...geoCommands,
  ...persistenceCommands,
  ...shutdownCommands,
  ...dumpRestoreCommands,
  ...replicationCommands,
  ...clusterCommands,
  slowlogCommand,
  aclCommand,
  latencyCommand,
];
