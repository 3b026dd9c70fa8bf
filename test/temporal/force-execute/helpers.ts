/** What the force-execute workflow tests look at: backends carrying our token, heartbeat details, failures. */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import type pg from 'pg';
import { expect } from 'vitest';

/** Backends of this database whose application_name is a force-execute token. */
export async function tokenBackends(pool: pg.Pool): Promise<Array<{ pid: number; application_name: string; state: string }>> {
  const { rows } = await pool.query(
    `SELECT pid, application_name, state FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'tpg-fx:%' ORDER BY pid`,
  );
  return rows;
}

/** The decoded heartbeat details of each pending activity, by activity type. */
export async function heartbeatsOf(handle: WorkflowHandle): Promise<Record<string, unknown>> {
  const pending = (await handle.describe()).raw.pendingActivities ?? [];
  const details: Record<string, unknown> = {};
  for (const activity of pending) {
    const payload = activity.heartbeatDetails?.payloads?.[0];
    if (activity.activityType?.name && payload) details[activity.activityType.name] = defaultPayloadConverter.fromPayload(payload);
  }
  return details;
}

/** The ApplicationFailure a workflow failed with. */
export async function workflowFailure(result: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await result.then(
    () => new Error('expected the workflow to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}
