// The string command family (redis.io/commands/?group=string), one list so `grep` finds every member.
// Each member lives in a small file by theme; this file only gathers them for the command table.
// Only strings exist in this server, so none of these ever answers WRONGTYPE. The bitmap group (bitops.c) works on
// strings too and is listed here with them.

import type { CommandSpec } from '../command.js';
import { bitfieldCommands } from './bitfield.js';
import { bitmapCommands } from './bitmap.js';
import { counterCommands } from './strings-counters.js';
import { getSetCommands } from './strings-get-set.js';
import { lcsCommands } from './strings-lcs.js';
import { multiKeyCommands } from './strings-multi.js';
import { rangeCommands } from './strings-range.js';

export const stringCommands: readonly CommandSpec[] = [
  ...getSetCommands, // GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX
  ...multiKeyCommands, // MGET MSET MSETNX
  ...counterCommands, // INCR DECR INCRBY DECRBY INCRBYFLOAT
  ...rangeCommands, // APPEND STRLEN GETRANGE SETRANGE
  ...lcsCommands, // LCS
  ...bitmapCommands, // SETBIT GETBIT BITCOUNT BITPOS BITOP
  ...bitfieldCommands, // BITFIELD BITFIELD_RO
];
