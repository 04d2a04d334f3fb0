// Redis's glob matcher (util.c stringmatchlen), byte for byte: used by KEYS, SCAN MATCH and CONFIG GET.
// Operates on raw bytes (keys are binary); nocase folds ASCII only, as C's tolower in the "C" locale.
// Knows nothing about the store or commands.

const STAR = 0x2a; // *
const QUESTION = 0x3f; // ?
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const CARET = 0x5e; // ^
const BACKSLASH = 0x5c; // \
const DASH = 0x2d; // -

/** Redis caps recursion so a pattern like "*a*a*a*..." cannot exhaust the stack (CVE-2022-36021). */
const MAX_NESTING = 1000;

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/** True when subject matches the glob pattern, exactly as Redis's stringmatchlen. */
export function globMatch(pattern: Uint8Array, subject: Uint8Array, nocase = false): boolean {
  const skipLongerMatches = { value: false };
  return matchFrom(pattern, 0, subject, 0, nocase, skipLongerMatches, 0);
}

// A transliteration of stringmatchlen_impl: p/s are positions instead of advancing C pointers. Where C reads
// the NUL terminator past the end (pattern[1] at the last byte), the JS read yields undefined, which compares
// unequal to every byte just as NUL does (patterns here cannot contain a NUL that C would have stopped at, but
// C uses lengths throughout, so that is the same behaviour).
function matchFrom(
  pattern: Uint8Array,
  p: number,
  subject: Uint8Array,
  s: number,
  nocase: boolean,
  skipLongerMatches: { value: boolean },
  nesting: number,
): boolean {
  if (nesting > MAX_NESTING) return false;
  const pEnd = pattern.length;
  const sEnd = subject.length;
  while (p < pEnd && s < sEnd) {
    switch (pattern[p]) {
      case STAR: {
        while (p + 1 < pEnd && pattern[p + 1] === STAR) p++;
        if (p + 1 === pEnd) return true;
        while (s < sEnd) {
          if (matchFrom(pattern, p + 1, subject, s, nocase, skipLongerMatches, nesting + 1)) return true;
          if (skipLongerMatches.value) return false;
          s++;
        }
        // No match for the rest of the pattern from anywhere in the rest of the subject: an earlier '*'
        // matching more cannot help either, so every caller can stop (Redis's skipLongerMatches).
        skipLongerMatches.value = true;
        return false;
      }
      case QUESTION:
        s++;
        break;
      case OPEN: {
        p++;
        const not = pattern[p] === CARET;
        if (not) p++;
        let match = false;
        const c = subject[s];
        for (;;) {
          if (pattern[p] === BACKSLASH && pEnd - p >= 2) {
            p++;
            if (pattern[p] === c) match = true;
          } else if (pattern[p] === CLOSE) {
            break;
          } else if (p >= pEnd) {
            p--; // unterminated class: the C code steps back so the shared p++ below lands on the end
            break;
          } else if (pEnd - p >= 3 && pattern[p + 1] === DASH) {
            let start = pattern[p];
            let end = pattern[p + 2];
            let x = c;
            if (start > end) [start, end] = [end, start];
            if (nocase) {
              start = lower(start);
              end = lower(end);
              x = lower(x);
            }
            p += 2;
            if (x >= start && x <= end) match = true;
          } else if (nocase ? lower(pattern[p]) === lower(c) : pattern[p] === c) {
            match = true;
          }
          p++;
        }
        if (not) match = !match;
        if (!match) return false;
        s++;
        break;
      }
      default:
        // A backslash escapes the next byte, which is then compared literally (a trailing one is literal).
        if (pattern[p] === BACKSLASH && pEnd - p >= 2) p++;
        if (nocase ? lower(pattern[p]) !== lower(subject[s]) : pattern[p] !== subject[s]) return false;
        s++;
        break;
    }
    p++;
    if (s === sEnd) {
      while (p < pEnd && pattern[p] === STAR) p++;
      break;
    }
  }
  return p === pEnd && s === sEnd;
}
