// Redis's LFU (evict.c): an 8-bit logarithmic access counter and the minute (16 bits) it was last decremented,
// kept where LRU keeps its clock (the low 24 bits of the object header). A hit raises the counter with
// probability 1 / ((counter - 5) * lfu-log-factor + 1); every lfu-decay-time minutes without one lowers it by one.
// Pure arithmetic over the header bits; the caller supplies the minute clock and the random draw.

/** LFU_INIT_VAL: a new key's counter, so it is not evicted before it had a chance to be read. */
export const LFU_INIT_VAL = 5;

/** evict.c LFUGetTimeInMinutes from milliseconds. */
export function lfuMinutes(ms: number): number {
  return Math.floor(ms / 60000) & 0xffff;
}

/** A new object's LFU bits: now, counter LFU_INIT_VAL. */
export function lfuFresh(minutes: number): number {
  return (minutes << 8) | LFU_INIT_VAL;
}

/** LFUDecrAndReturn: the counter after the decay owed since its minute. */
export function lfuDecayed(bits: number, minutes: number, decayTime: number): number {
  const counter = bits & 0xff;
  if (decayTime === 0) return counter;
  const since = (bits >>> 8) & 0xffff;
  const elapsed = minutes >= since ? minutes - since : 65535 - since + minutes;
  const periods = Math.floor(elapsed / decayTime);
  return periods > counter ? 0 : counter - periods;
}

/** LFULogIncr: the counter after one more access. */
export function lfuLogIncr(counter: number, logFactor: number, random: number): number {
  if (counter === 255) return 255;
  const base = Math.max(0, counter - LFU_INIT_VAL);
  return random < 1 / (base * logFactor + 1) ? counter + 1 : counter;
}

/** updateLFU: the LFU bits after an access at `minutes`. */
export function lfuTouched(bits: number, minutes: number, decayTime: number, logFactor: number): number {
  const counter = lfuLogIncr(lfuDecayed(bits, minutes, decayTime), logFactor, Math.random());
  return (minutes << 8) | counter;
}
