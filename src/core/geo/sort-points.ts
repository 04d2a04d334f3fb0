// The two sorts a GEO search's results go through in Redis 7.0, reproduced because equal distances keep the
// order each one leaves them in: glibc's qsort (a stable top-down merge sort, msort.c) when every result is
// returned, and Redis's pqsort.c (Bentley & McIlroy's quicksort that only sorts the part holding ranks
// lrange..rrange) when COUNT returns fewer. The comparison is geo.c's sort_gp_asc / sort_gp_desc, which calls
// a NaN distance smaller than anything. Pure: sorts an array in place.

export type Compare<T> = (a: T, b: T) => number;

/** glibc msort_with_tmp: sort halves, merge taking from the left while cmp(left, right) <= 0. */
export function mergeSort<T>(items: T[], cmp: Compare<T>): void {
  if (items.length <= 1) return;
  const tmp = new Array<T>(items.length);
  mergeSortRange(items, 0, items.length, cmp, tmp);
}

function mergeSortRange<T>(b: T[], start: number, n: number, cmp: Compare<T>, tmp: T[]): void {
  if (n <= 1) return;
  const n1 = n >>> 1;
  const n2 = n - n1;
  mergeSortRange(b, start, n1, cmp, tmp);
  mergeSortRange(b, start + n1, n2, cmp, tmp);
  let i = start;
  let j = start + n1;
  const end1 = start + n1;
  const end2 = start + n;
  let k = 0;
  while (i < end1 && j < end2) {
    if (cmp(b[i], b[j]) <= 0) tmp[k++] = b[i++];
    else tmp[k++] = b[j++];
  }
  while (i < end1) tmp[k++] = b[i++];
  // What is left of the right half is already in place.
  for (let t = 0; t < k; t++) b[start + t] = tmp[t];
}

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Swaps the n elements from i with the n from j, pairwise (vecswap). */
function vecswap<T>(a: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(a, i + k, j + k);
}

function med3<T>(a: T[], x: number, y: number, z: number, cmp: Compare<T>): number {
  return cmp(a[x], a[y]) < 0
    ? cmp(a[y], a[z]) < 0
      ? y
      : cmp(a[x], a[z]) < 0
        ? z
        : x
    : cmp(a[y], a[z]) > 0
      ? y
      : cmp(a[x], a[z]) < 0
        ? x
        : z;
}

/** pqsort(a, n, cmp, lrange, rrange): ranks lrange..rrange (inclusive) end up sorted and in place. */
export function partialQuickSort<T>(a: T[], cmp: Compare<T>, lrange: number, rrange: number): void {
  pqsortRange(a, 0, a.length, cmp, lrange, rrange);
}

/** _pqsort over a[base .. base + n), element indexes in place of Redis's byte pointers. */
function pqsortRange<T>(a: T[], base: number, n: number, cmp: Compare<T>, lr: number, rr: number): void {
  for (;;) {
    if (n < 7) {
      for (let pm = base + 1; pm < base + n; pm++)
        for (let pl = pm; pl > base && cmp(a[pl - 1], a[pl]) > 0; pl--) swap(a, pl, pl - 1);
      return;
    }
    let pm = base + Math.floor(n / 2);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(a, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(a, pm - d, pm, pm + d, cmp);
        pn = med3(a, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(a, pl, pm, pn, cmp);
    }
    swap(a, base, pm);
    let pa = base + 1;
    let pb = pa;
    let pc = base + n - 1;
    let pd = pc;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(a[pb], a[base])) <= 0) {
        if (r === 0) {
          swap(a, pa, pb);
          pa++;
        }
        pb++;
      }
      while (pb <= pc && (r = cmp(a[pc], a[base])) >= 0) {
        if (r === 0) {
          swap(a, pc, pd);
          pd--;
        }
        pc--;
      }
      if (pb > pc) break;
      swap(a, pb, pc);
      pb++;
      pc--;
    }
    const pn = base + n;
    let s = Math.min(pa - base, pb - pa);
    vecswap(a, base, pb - s, s);
    s = Math.min(pd - pc, pn - pd - 1);
    vecswap(a, pb, pn - s, s);
    // Recurse (or iterate) only into a part that overlaps the ranks asked for.
    const overlaps = (from: number, count: number): boolean =>
      !((lr < from && rr < from) || (lr >= from + count && rr >= from + count));
    if ((s = pb - pa) > 1 && overlaps(base, s)) pqsortRange(a, base, s, cmp, lr, rr);
    if ((s = pd - pc) > 1) {
      base = pn - s;
      n = s;
      if (overlaps(base, n)) continue;
    }
    return;
  }
}
