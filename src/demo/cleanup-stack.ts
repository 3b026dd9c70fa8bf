/**
 * What the demo started, stopped in reverse order however the demo ends: each step runs even when
 * an earlier one failed, and the failures are reported together.
 */
export class CleanupStack {
  readonly #steps: Array<{ what: string; run: () => Promise<unknown> }> = [];

  /** Registers `run` to undo `what` (said in the cleanup report). */
  defer(what: string, run: () => Promise<unknown>): void {
    this.#steps.push({ what, run });
  }

  /** Runs every step, newest first; resolves with what was undone and what failed. */
  async run(): Promise<{ done: string[]; failed: Array<{ what: string; error: unknown }> }> {
    const done: string[] = [];
    const failed: Array<{ what: string; error: unknown }> = [];
    for (let step = this.#steps.pop(); step; step = this.#steps.pop()) {
      try {
        await step.run();
        done.push(step.what);
      } catch (error) {
        failed.push({ what: step.what, error });
      }
    }
    return { done, failed };
  }
}
