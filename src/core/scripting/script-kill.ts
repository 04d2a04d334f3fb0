// SCRIPT KILL and FUNCTION KILL (Redis 7.0 script.c scriptKill), on any thread: the running script is marked
// killed in the busy word, and its engine's hook stops it; the replies are Redis's. Knows the busy word only.

import { CommandError } from '../errors.js';
import { OK, type Reply } from '../reply.js';
import { BUSY_ERROR, BUSY_FUNCTION_ERROR } from './busy-gate.js';
import type { ScriptBusy } from './script-busy.js';

/** `isFunction`: FUNCTION KILL, which stops only a function; SCRIPT KILL stops only an EVAL script. */
export function killRunningScript(busy: ScriptBusy, isFunction: boolean): Reply {
  switch (busy.kill(isFunction)) {
    case 'not-busy':
      throw new CommandError('NOTBUSY No scripts in execution right now.');
    case 'unkillable':
      throw new CommandError(
        'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait ' +
          'the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.',
      );
    case 'other-kind':
      // SCRIPT KILL of a function answers shared.slowscripterr, FUNCTION KILL of an EVAL shared.slowevalerr.
      throw new CommandError(isFunction ? BUSY_ERROR : BUSY_FUNCTION_ERROR);
    case 'killed':
      return OK;
  }
}
