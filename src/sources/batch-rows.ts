/**
 * The `rows` of one batch: opened (file, cursor) only when iterated, iterable once, and retired when
 * the source moves on to the next batch or stops — closing what is open. Reading retired rows is an
 * error, not a silent empty batch: a consumer that collects batches before reading their rows
 * would otherwise load nothing and still store the watermarks.
 */
import type { SourceRow } from './types.js';

export class BatchRows implements AsyncIterable<SourceRow> {
  private iterator: AsyncGenerator<SourceRow> | undefined;
  private retired = false;

  /**
   * @param open starts reading; its generator's `finally` closes what it opened.
   * @param what names the batch in errors.
   * @param release frees what exists before the rows are read (a connection holding the batch's snapshot).
   */
  constructor(
    private readonly open: () => AsyncGenerator<SourceRow>,
    private readonly what: string,
    private readonly release: () => Promise<void> = async () => undefined,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<SourceRow> {
    this.assertCurrent();
    if (this.iterator !== undefined) throw new Error(`${this.what}: a batch's rows can be read only once`);
    const iterator = this.open();
    this.iterator = iterator;
    return {
      next: async () => {
        this.assertCurrent();
        return iterator.next();
      },
      return: (value?: unknown) => iterator.return(value as undefined),
    };
  }

  /** Closes the rows (a half-read file, an open cursor) and frees the batch's resources. Idempotent. */
  async retire(): Promise<void> {
    if (this.retired) return;
    this.retired = true;
    try {
      await this.iterator?.return(undefined);
    } finally {
      await this.release();
    }
  }

  private assertCurrent(): void {
    if (this.retired) {
      throw new Error(`${this.what}: rows read after the source moved on to the next batch (read each batch's rows before asking for the next)`);
    }
  }
}
