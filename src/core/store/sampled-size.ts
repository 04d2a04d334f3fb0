// A container's bytes from a sample of its elements, as Redis's objectComputeSize estimates them (the sampled
// elements' mean size times the element count). With every element sampled (MEMORY USAGE ... SAMPLES 0) it is the
// exact sum: the mean times the count, in floating point, could fall a byte short of it (3,000 nodes: 240,855
// instead of 240,856), and USAGE with SAMPLES 0 is what deleting the key gives back.

/** `bytes` of `seen` sampled elements scaled to `total` elements. */
export function scaledSample(bytes: number, seen: number, total: number): number {
  if (seen === 0) return 0;
  return seen >= total ? bytes : Math.floor((bytes / seen) * total);
}
