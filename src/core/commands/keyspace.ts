// The keyspace (generic) command family, as one list for the command table. The commands live in small
// files by theme: whole keys, expiry, enumeration, whole database, and OBJECT (how a value is kept).

import type { CommandSpec } from '../command.js';
import { databaseCommands } from './keyspace-db.js';
import { expireCommands } from './keyspace-expire.js';
import { keyCommands } from './keyspace-keys.js';
import { scanCommands } from './keyspace-scan.js';
import { objectCommand } from './object.js';

export const keyspaceCommands: readonly CommandSpec[] = [
  ...keyCommands,
  ...expireCommands,
  ...scanCommands,
  ...databaseCommands,
  objectCommand,
];
