/**
 * What can be force-executed — one SQL string, a list of them, or a function of the client — turned
 * into the one shape the attempts run, and results turned into plain JSON for a workflow.
 */
import type pg from 'pg';
import { queryExtended } from '../db/extended-query.js';
import type { SessionClient } from '../db/queryable.js';
import { InvalidLockArgumentError } from '../locks/errors.js';
import type { StatementOutcome } from '../shared/force-execute.js';

/** One statement, several run in order in one transaction, or a function run in the transaction. */
export type ForceExecuteStatements<T> = string | readonly string[] | ((client: pg.PoolClient) => Promise<T>);

/** What {@link ForceExecuteStatements} resolve to: a query result, a list of them, or the function's value. */
export type StatementsResult<T> = pg.QueryResult | pg.QueryResult[] | T;

/** The work one attempt runs. @throws InvalidLockArgumentError for an empty list or a non-string statement. */
export function statementsWork<T>(statements: ForceExecuteStatements<T>): (client: SessionClient) => Promise<StatementsResult<T>> {
  if (typeof statements === 'function') return statements as (client: SessionClient) => Promise<T>;
  if (typeof statements === 'string') {
    const text = checkedStatement(statements, 'statements');
    return (client) => queryExtended(client, text);
  }
  if (!Array.isArray(statements) || statements.length === 0) {
    throw new InvalidLockArgumentError('force-execute: statements must be an SQL string, a non-empty list of them, or a function (client) => Promise', {
      details: { argument: 'statements', value: Array.isArray(statements) ? '[]' : String(statements) },
    });
  }
  const texts = statements.map((statement: unknown, index) => checkedStatement(statement, `statements[${index}]`));
  return async (client) => {
    const results: pg.QueryResult[] = [];
    for (const text of texts) results.push(await queryExtended(client, text));
    return results;
  };
}

/** The command and row count of each result (rows are not carried: they may be large or secret). */
export function summarizeResults(results: readonly pg.QueryResult[]): StatementOutcome[] {
  return results.map((result) => ({ command: result.command, rowCount: result.rowCount ?? null }));
}

function checkedStatement(statement: unknown, argument: string): string {
  if (typeof statement !== 'string' || statement.trim() === '') {
    throw new InvalidLockArgumentError(`force-execute: ${argument} must be a non-empty SQL string, got ${JSON.stringify(statement) ?? String(statement)}`, {
      details: { argument, value: String(statement) },
    });
  }
  return statement;
}
