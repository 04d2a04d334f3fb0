// The keyspace (generic) command family, as one list for the command table. The commands live in small
// files by theme: whole keys, expiry, enumeration, whole database.

import type { CommandSpec } from '../command.js';
import { databaseCommands } from './keyspace-db.js';
import { expireCommands } from './keyspace-expire.js';
import { keyCommands } from './keyspace-keys.js';
import { scanCommands } from './keyspace-scan.js';

export const keyspaceCommands: readonly CommandSpec[] = [
  ...keyCommands,
  ...expireCommands,
  ...scanCommands,
  ...databaseCommands,
];
