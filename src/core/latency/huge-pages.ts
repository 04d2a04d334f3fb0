// The process's anonymous huge pages (latency.c THPGetAnonHugePagesSize: smaps' AnonHugePages), which LATENCY
// DOCTOR advises against. Read from /proc when asked; 0 where /proc is not there.

import { readFileSync } from 'node:fs';

export function anonHugePagesBytes(): number {
  try {
    const text = readFileSync('/proc/self/smaps_rollup', 'latin1');
    const match = /^AnonHugePages:\s+(\d+) kB/m.exec(text);
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}
