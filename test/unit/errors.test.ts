// CommandError's code: Redis's error code, the first word of the error line, which code compares instead of text.

import { describe, expect, it } from 'vitest';
import { CommandError, ERR, errorCode } from '../../src/core/errors.js';

describe('CommandError', () => {
  it("carries Redis's code, the error line's first word", () => {
    expect(new CommandError(ERR.oom).code).toBe('OOM');
    expect(new CommandError(ERR.wrongType).code).toBe('WRONGTYPE');
    expect(new CommandError(ERR.syntax).code).toBe('ERR');
    expect(new CommandError(ERR.noAuth).code).toBe('NOAUTH');
  });

  it('takes a line without a space as all code', () => {
    expect(errorCode('EXECABORT')).toBe('EXECABORT');
  });
});
