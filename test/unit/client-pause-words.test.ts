// CLIENT PAUSE's shared words (store/client-pause.ts): how a second pause combines with one in force (the
// stricter type and the later end, as Redis 7.0's pauseClients keeps per purpose), when a pause stops holding
// (end < now), what UNPAUSE and expiry clear. On an explicit clock.
import { describe, expect, it } from 'vitest';
import { ClientPauseWords, PAUSE_ALL, PAUSE_OFF, PAUSE_WRITE } from '../../src/core/store/client-pause.js';

describe('ClientPauseWords', () => {
  it('holds until its end has passed (end < now), then expire() clears it once', () => {
    const pause = ClientPauseWords.local();
    pause.pause(PAUSE_WRITE, 1100, 1000);
    expect(pause.type()).toBe(PAUSE_WRITE);
    expect(pause.pausedAt(1100)).toBe(true);
    expect(pause.pausedAt(1101)).toBe(false);
    expect(pause.expire(1100)).toBe(false);
    expect(pause.expire(1101)).toBe(true);
    expect(pause.expire(1102)).toBe(false);
    expect(pause.type()).toBe(PAUSE_OFF);
  });

  it('keeps the stricter type and the later end of two pauses', () => {
    const pause = ClientPauseWords.local();
    pause.pause(PAUSE_WRITE, 5000, 1000);
    pause.pause(PAUSE_ALL, 1200, 1000);
    expect([pause.type(), pause.end()]).toEqual([PAUSE_ALL, 5000]);
    pause.pause(PAUSE_WRITE, 9000, 1000);
    expect([pause.type(), pause.end()]).toEqual([PAUSE_ALL, 9000]);
  });

  it('a timeout of 0 (end 0) sets no pause, and only makes one in force stricter', () => {
    const pause = ClientPauseWords.local();
    pause.pause(PAUSE_ALL, 0, 1000);
    expect(pause.type()).toBe(PAUSE_OFF);
    pause.pause(PAUSE_WRITE, 3000, 1000);
    pause.pause(PAUSE_ALL, 0, 1000);
    expect([pause.type(), pause.end()]).toEqual([PAUSE_ALL, 3000]);
  });

  it('a pause whose end passed is gone before a new one combines with it', () => {
    const pause = ClientPauseWords.local();
    pause.pause(PAUSE_ALL, 1100, 1000);
    pause.pause(PAUSE_WRITE, 3000, 2000);
    expect([pause.type(), pause.end()]).toEqual([PAUSE_WRITE, 3000]);
  });

  it('UNPAUSE clears it and says whether one was in force', () => {
    const pause = ClientPauseWords.local();
    expect(pause.unpause()).toBe(false);
    pause.pause(PAUSE_WRITE, 3000, 1000);
    expect(pause.unpause()).toBe(true);
    expect(pause.pausedAt(1000)).toBe(false);
  });

  it('is one pause for every view of the same buffer (every thread)', () => {
    const buffer = new SharedArrayBuffer(80 * 4);
    const one = new ClientPauseWords(buffer);
    const other = new ClientPauseWords(buffer);
    one.pause(PAUSE_WRITE, 3000, 1000);
    expect([other.type(), other.end()]).toEqual([PAUSE_WRITE, 3000]);
    other.unpause();
    expect(one.type()).toBe(PAUSE_OFF);
  });
});
