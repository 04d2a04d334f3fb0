// Node's name of an errno value, for the calls that return -errno instead of throwing (the native helper's) and
// report it as a failed Node call would, in `code`. Knows nothing of sockets.

import { constants } from 'node:os';

let names: Map<number, string> | undefined;

/** 32 -> 'EPIPE'; a value Node has no name for -> 'E<value>'. */
export function errnoName(errno: number): string {
  names ??= new Map(Object.entries(constants.errno).map(([name, value]) => [value, name]));
  return names.get(errno) ?? `E${errno}`;
}
