/**
 * Owners and privileges across a swap — what pg-bulk-ingest loses or breaks on: PUBLIC grants (a
 * syntax error there), owners, non-SELECT and column privileges, grant options, grantors.
 */
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { SwapBlockedError } from '../../../src/ingest/swap/index.js';
import { quoteIdent } from '../../../src/sql/identifier.js';
import { useTestDatabase } from '../../helpers/database.js';
import { freshSchema, privilegesOf, rebuildAndSwap, relationOid, rowsOf } from './swap-helpers.js';

const db = useTestDatabase();
const q = quoteIdent;

async function asRole<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await db.client({ url, applicationName: 'swap-privileges-role' });
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const sameColumns = (schema: string) => ({ columns: 'id int PRIMARY KEY, v text, w text', fill: `SELECT * FROM ${schema}.t UNION ALL VALUES (9, 'new', 'new')` });

describe('owners and privileges across a swap', () => {
  it('keeps PUBLIC grants on the table and on views', async () => {
    await freshSchema(db.pool, 'pub');
    await db.pool.query(`CREATE TABLE pub.t (id int PRIMARY KEY, v text, w text); INSERT INTO pub.t VALUES (1, 'a', 'b')`);
    await db.pool.query(`CREATE VIEW pub.v AS SELECT id, v FROM pub.t`);
    await db.pool.query(`GRANT SELECT, INSERT ON pub.t TO PUBLIC; GRANT SELECT ON pub.v TO PUBLIC; GRANT UPDATE (w) ON pub.t TO PUBLIC`);
    const before = [await privilegesOf(db.pool, { schema: 'pub', name: 't' }), await privilegesOf(db.pool, { schema: 'pub', name: 'v' })];
    await rebuildAndSwap(db.pool, { schema: 'pub', name: 't' }, sameColumns('pub'));
    const after = [await privilegesOf(db.pool, { schema: 'pub', name: 't' }), await privilegesOf(db.pool, { schema: 'pub', name: 'v' })];
    expect(after).toEqual(before);
    expect(after[0]!.acl).toContain('postgres > PUBLIC INSERT');
    expect(after[0]!.columns).toEqual(['w: postgres > PUBLIC UPDATE']);
  });

  it('keeps table and view owners; a view owner relying on its implicit privileges still reads it', async () => {
    await freshSchema(db.pool, 'owners');
    const tableOwner = await db.createRole('table_owner');
    const viewOwner = await db.createRole('view_owner');
    await db.pool.query(`GRANT USAGE ON SCHEMA owners TO ${q(viewOwner.name)}`);
    await db.pool.query(`CREATE TABLE owners.t (id int PRIMARY KEY, v text, w text); INSERT INTO owners.t VALUES (1, 'a', 'b')`);
    await db.pool.query(`ALTER TABLE owners.t OWNER TO ${q(tableOwner.name)}`);
    await db.pool.query(`GRANT SELECT ON owners.t TO ${q(viewOwner.name)}`);
    await db.pool.query(`CREATE VIEW owners.v AS SELECT id, v FROM owners.t; ALTER VIEW owners.v OWNER TO ${q(viewOwner.name)}`);
    const before = [await privilegesOf(db.pool, { schema: 'owners', name: 't' }), await privilegesOf(db.pool, { schema: 'owners', name: 'v' })];
    expect(before[1]!.aclIsNull).toBe(true);

    await rebuildAndSwap(db.pool, { schema: 'owners', name: 't' }, sameColumns('owners'));

    const after = [await privilegesOf(db.pool, { schema: 'owners', name: 't' }), await privilegesOf(db.pool, { schema: 'owners', name: 'v' })];
    expect(after).toEqual(before);
    expect(after[0]!.owner).toBe(tableOwner.name);
    expect(after[1]).toMatchObject({ owner: viewOwner.name, aclIsNull: true });
    const seen = await asRole(viewOwner.url, async (c) => (await c.query(`SELECT id, v FROM owners.v ORDER BY id`)).rows);
    expect(seen).toEqual([{ id: 1, v: 'a' }, { id: 9, v: 'new' }]);
  });

  it('keeps non-SELECT and column privileges, grant options, grants made by other grantors and revoked owner privileges', async () => {
    await freshSchema(db.pool, 'grants');
    const [lead, analyst, intern] = [await db.createRole('lead'), await db.createRole('analyst'), await db.createRole('intern')];
    await db.pool.query(`GRANT USAGE ON SCHEMA grants TO ${q(lead.name)}, ${q(analyst.name)}, ${q(intern.name)}`);
    await db.pool.query(`CREATE TABLE grants.t (id int PRIMARY KEY, v text, w text); INSERT INTO grants.t VALUES (1, 'a', 'b')`);
    await db.pool.query(`CREATE VIEW grants.v AS SELECT id, v, w FROM grants.t`);
    await db.pool.query(`
      GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON grants.t TO ${q(lead.name)} WITH GRANT OPTION;
      GRANT SELECT (id, v), UPDATE (w) ON grants.t TO ${q(analyst.name)};
      GRANT SELECT ON grants.v TO ${q(lead.name)} WITH GRANT OPTION;
      GRANT INSERT (v) ON grants.v TO ${q(analyst.name)} WITH GRANT OPTION;
      REVOKE TRUNCATE, DELETE ON grants.t FROM postgres;`);
    // Grants made by someone other than the owner are recorded with that grantor.
    await asRole(lead.url, async (c) => {
      await c.query(`GRANT SELECT, UPDATE ON grants.t TO ${q(intern.name)}`);
      await c.query(`GRANT SELECT ON grants.v TO ${q(intern.name)}`);
    });
    const relations = [
      { schema: 'grants', name: 't' },
      { schema: 'grants', name: 'v' },
    ];
    const before = await Promise.all(relations.map((r) => privilegesOf(db.pool, r)));
    expect(before[0]!.acl).toContain(`${lead.name} > ${intern.name} UPDATE`);

    await rebuildAndSwap(db.pool, { schema: 'grants', name: 't' }, sameColumns('grants'));

    expect(await Promise.all(relations.map((r) => privilegesOf(db.pool, r)))).toEqual(before);
    const internSees = await asRole(intern.url, async (c) => (await c.query(`SELECT count(*)::int AS n FROM grants.v`)).rows[0]);
    expect(internSees).toEqual({ n: 2 });
  });

  it('does not let the swapping role’s default privileges leak onto the re-created objects', async () => {
    await freshSchema(db.pool, 'defaults');
    const snoop = await db.createRole('snoop');
    await db.pool.query(`CREATE TABLE defaults.t (id int PRIMARY KEY, v text, w text); INSERT INTO defaults.t VALUES (1, 'a', 'b')`);
    await db.pool.query(`CREATE VIEW defaults.v AS SELECT id FROM defaults.t; CREATE MATERIALIZED VIEW defaults.m AS SELECT id FROM defaults.t`);
    const relations = ['t', 'v', 'm'].map((name) => ({ schema: 'defaults', name }));
    const before = await Promise.all(relations.map((r) => privilegesOf(db.pool, r)));
    await db.pool.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA defaults GRANT SELECT, DELETE ON TABLES TO ${q(snoop.name)}`);
    try {
      await rebuildAndSwap(db.pool, { schema: 'defaults', name: 't' }, sameColumns('defaults'));
    } finally {
      await db.pool.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA defaults REVOKE ALL ON TABLES FROM ${q(snoop.name)}`);
    }
    const after = await Promise.all(relations.map((r) => privilegesOf(db.pool, r)));
    expect(after.map((p) => p.acl)).toEqual(before.map((p) => p.acl));
    for (const p of after) expect(p.acl.join()).not.toContain(snoop.name);
  });

  it('swaps as a non-superuser owner, and refuses (changing nothing) a view it may not re-create', async () => {
    await freshSchema(db.pool, 'plain');
    const ingester = await db.createRole('ingester');
    const stranger = await db.createRole('stranger');
    await db.pool.query(`GRANT CREATE, USAGE ON SCHEMA plain TO ${q(ingester.name)}; GRANT CREATE, USAGE ON SCHEMA plain TO ${q(stranger.name)}`);
    await db.pool.query(`CREATE TABLE plain.t (id int PRIMARY KEY, v text, w text); INSERT INTO plain.t VALUES (1, 'a', 'b')`);
    await db.pool.query(`ALTER TABLE plain.t OWNER TO ${q(ingester.name)}`);
    await asRole(ingester.url, (c) => c.query(`CREATE VIEW plain.mine AS SELECT id, v FROM plain.t; GRANT SELECT ON plain.mine TO PUBLIC`));
    const pool = db.newPool({ connectionString: ingester.url, max: 1 });
    try {
      await rebuildAndSwap(pool, { schema: 'plain', name: 't' }, sameColumns('plain'));
      expect(await rowsOf(db.pool, { schema: 'plain', name: 'mine' })).toEqual([[1, 'a'], [9, 'new']]);
      expect((await privilegesOf(db.pool, { schema: 'plain', name: 'mine' })).acl).toContain(`${ingester.name} > PUBLIC SELECT`);

      // A view owned by a role the ingester cannot act as: refused before anything changes.
      await db.pool.query(`GRANT SELECT ON plain.t TO ${q(stranger.name)}`);
      await asRole(stranger.url, (c) => c.query(`CREATE VIEW plain.theirs AS SELECT id FROM plain.t`));
      const oid = await relationOid(db.pool, { schema: 'plain', name: 't' });
      const error = await rebuildAndSwap(pool, { schema: 'plain', name: 't' }, { columns: 'id int PRIMARY KEY, v text, w text' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SwapBlockedError);
      expect((error as SwapBlockedError).obstacles).toEqual([
        expect.objectContaining({ kind: 'permission', object: 'view plain.theirs', reason: expect.stringContaining(stranger.name) }),
      ]);
      expect(await relationOid(db.pool, { schema: 'plain', name: 't' })).toBe(oid);
    } finally {
      await pool.end();
    }
  });
});
