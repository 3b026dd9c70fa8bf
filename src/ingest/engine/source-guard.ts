/**
 * Tells the batch source's own failures apart from everything else that can fail while rows
 * stream (a bad value, the server, the connection): the source's iterator is wrapped so that what
 * it throws comes out as a {@link SourceFailure}, which the batch step turns into a
 * `BatchSourceError` naming the batch and the row.
 */

/** What a source threw, and how many rows it had handed out before. */
export class SourceFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly rowsRead: number,
  ) {
    super('the batch source threw');
  }
}

/** `rows`, with every exception of its iterator wrapped in a {@link SourceFailure}. Costs one call per row. */
export function guardRows<T>(rows: Iterable<T> | AsyncIterable<T>): Iterable<T> | AsyncIterable<T> {
  if (isAsyncIterable(rows)) {
    return {
      [Symbol.asyncIterator]: () => {
        let read = 0;
        let iterator: AsyncIterator<T>;
        try {
          iterator = rows[Symbol.asyncIterator]();
        } catch (error) {
          throw new SourceFailure(error, 0);
        }
        return {
          next: async () => {
            try {
              const step = await iterator.next();
              if (!step.done) read++;
              return step;
            } catch (error) {
              throw new SourceFailure(error, read);
            }
          },
          return: async (value?: unknown) => (iterator.return ? iterator.return(value) : { done: true as const, value: undefined }),
        };
      },
    };
  }
  return {
    [Symbol.iterator]: () => {
      let read = 0;
      let iterator: Iterator<T>;
      try {
        iterator = rows[Symbol.iterator]();
      } catch (error) {
        throw new SourceFailure(error, 0);
      }
      return {
        next: () => {
          try {
            const step = iterator.next();
            if (!step.done) read++;
            return step;
          } catch (error) {
            throw new SourceFailure(error, read);
          }
        },
        return: (value?: unknown) => (iterator.return ? iterator.return(value) : { done: true as const, value: undefined }),
      };
    },
  };
}

export function isAsyncIterable<T>(value: Iterable<T> | AsyncIterable<T>): value is AsyncIterable<T> {
  return typeof (value as Partial<AsyncIterable<T>>)[Symbol.asyncIterator] === 'function';
}

/** Whether `value` can be iterated at all (sync or async). */
export function isIterable(value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  return (
    typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function' ||
    typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function'
  );
}
