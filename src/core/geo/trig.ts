// The sine, cosine and arc sine the GEO geometry uses (geohash-helper.ts): the C library's, through the native
// helper (native/libm.c), where it is built, so that distances come out bit for bit as redis-server's on the same
// machine (GEOSEARCHSTORE ... STOREDIST stores all 17 digits of one); V8's Math functions (fdlibm) otherwise,
// which differ from glibc's in the last bit for a few inputs in a hundred. The native helper's loader installs
// libm's on every thread that loads it (transport/threadpool/native-addon.ts), once, at start-up: a module-level
// choice rather than an argument threaded through every command, because it is a property of the build, the
// same for every caller, and never changes afterwards.

export interface Trig {
  sin(x: number): number;
  cos(x: number): number;
  asin(x: number): number;
}

/** V8's functions: the fallback without the native helper. */
export const V8_TRIG: Trig = { sin: Math.sin, cos: Math.cos, asin: Math.asin };

let installed: Trig = V8_TRIG;

/** Makes `libm`'s functions the ones this thread's GEO geometry uses. */
export function installLibm(libm: Trig): void {
  installed = { sin: libm.sin, cos: libm.cos, asin: libm.asin };
}

/** This thread's functions. */
export function trig(): Trig {
  return installed;
}
