/**
 * The least-privileged roles of the least-privilege tests: an ETL role that owns one schema and
 * nothing else (no superuser, no CREATE on the database, so not even a schema of its own making,
 * no pg_signal_backend), and an analyst that owns nothing.
 */
import type { TestDatabase } from '../../helpers/database.js';

export interface LeastPrivilegeRoles {
  readonly etl: { readonly name: string; readonly url: string };
  readonly analyst: { readonly name: string; readonly url: string };
}

/** Creates both roles (names prefixed by `prefix`) and `schema`, owned by the ETL role. */
export async function createLeastPrivilegeRoles(db: TestDatabase, schema: string, prefix = ''): Promise<LeastPrivilegeRoles> {
  const etl = await db.createRole(`${prefix}etl`);
  const analyst = await db.createRole(`${prefix}analyst`);
  await db.pool.query(`REVOKE CREATE ON DATABASE ${db.name} FROM "${etl.name}"`);
  await db.pool.query(`CREATE SCHEMA ${schema} AUTHORIZATION "${etl.name}"`);
  return { etl, analyst };
}
