import { expect } from 'vitest';
import { logProblems } from './check-answer.js';
import { healthy, type FuzzRig } from './fuzz-rig.js';

/** Judges each fuzz batch on its own log and console lines: a failed property does not fail the next. */
export interface BatchWatch {
  /** Marks where the next batch's lines start. */
  begin(): void;
  /** Still healthy, nothing a client sent logged as the gateway's own fault, nothing on the console; then begins anew. */
  expectClean(): Promise<void>;
}

export function watchBatches(rig: () => FuzzRig, consoleOutput: { readonly lines: readonly string[] }): BatchWatch {
  let logMark = 0;
  let consoleMark = 0;
  const begin = () => {
    logMark = rig().gw.logs.length;
    consoleMark = consoleOutput.lines.length;
  };
  return {
    begin,
    async expectClean() {
      expect(await healthy(rig().gw)).toBe(true);
      expect(logProblems(rig().gw.logs, logMark)).toEqual([]);
      expect(consoleOutput.lines.slice(consoleMark), 'console output while fuzzing').toEqual([]);
      begin();
    },
  };
}
