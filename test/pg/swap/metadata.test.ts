/**
 * Everything else bound to the table that survives a swap: comments, options, matview indexes and
 * WITH NO DATA, triggers, rules, policies, statistics objects, sequences, replica identity,
 * publications, and names of constraints and indexes.
 */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../helpers/database.js';
import { freshSchema, rebuildAndSwap, rowsOf, viewDefinitions } from './swap-helpers.js';

const db = useTestDatabase();

async function scalar<T>(sql: string, values: unknown[] = []): Promise<T> {
  const { rows } = await db.pool.query({ text: sql, values, rowMode: 'array' });
  return (rows[0] as unknown[])[0] as T;
}

/** Every comment in a schema: relations, columns, constraints, triggers, rules, policies, statistics. */
async function commentsIn(schema: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ line: string }>(
    `SELECT pg_describe_object(d.classoid, d.objoid, d.objsubid) || ' = ' || d.description AS line
       FROM pg_description d
      WHERE (pg_identify_object(d.classoid, d.objoid, d.objsubid)).schema = $1
      ORDER BY 1`,
    [schema],
  );
  return rows.map((r) => r.line);
}

describe('metadata across a swap', () => {
  it('keeps comments on the table, its columns, constraints, indexes, views, view columns, matviews and their indexes', async () => {
    await freshSchema(db.pool, 'comments');
    await db.pool.query(`
      CREATE TABLE comments.t (id int CONSTRAINT t_pk PRIMARY KEY, v text, gone text);
      CREATE INDEX t_v ON comments.t (v);
      CREATE VIEW comments.v AS SELECT id, v FROM comments.t;
      CREATE MATERIALIZED VIEW comments.m AS SELECT id, v FROM comments.t;
      CREATE UNIQUE INDEX m_id ON comments.m (id);
      COMMENT ON TABLE comments.t IS 'the table; it''s \\ odd';
      COMMENT ON COLUMN comments.t.v IS 'value column';
      COMMENT ON COLUMN comments.t.gone IS 'dropped by the new schema';
      COMMENT ON CONSTRAINT t_pk ON comments.t IS 'primary key';
      COMMENT ON INDEX comments.t_v IS 'index on v';
      COMMENT ON VIEW comments.v IS 'a view';
      COMMENT ON COLUMN comments.v.v IS 'view column';
      COMMENT ON MATERIALIZED VIEW comments.m IS 'a matview';
      COMMENT ON COLUMN comments.m.id IS 'matview column';
      COMMENT ON INDEX comments.m_id IS 'matview index'`);
    const before = await commentsIn('comments');
    const result = await rebuildAndSwap(db.pool, { schema: 'comments', name: 't' }, {
      columns: 'id int PRIMARY KEY, v text',
      after: ['CREATE INDEX ON {} (v)', `COMMENT ON TABLE {} IS 'replacement''s own'`],
    });
    expect(await commentsIn('comments')).toEqual(before.filter((line) => !line.includes('column gone')));
    expect(result.plan.notCarried).toEqual([expect.objectContaining({ object: 'column comments.t.gone' })]);
  });

  it('keeps the replacement’s own table comment when asked to', async () => {
    await freshSchema(db.pool, 'own_comment');
    await db.pool.query(`CREATE TABLE own_comment.t (id int); COMMENT ON TABLE own_comment.t IS 'old'`);
    await rebuildAndSwap(
      db.pool,
      { schema: 'own_comment', name: 't' },
      { columns: 'id int', after: [`COMMENT ON TABLE {} IS '{"pg-bulk-ingest": {"high-watermark": 1}}'`] },
      { tableComment: 'replacement' },
    );
    expect(await scalar(`SELECT obj_description('own_comment.t'::regclass, 'pg_class')`)).toBe('{"pg-bulk-ingest": {"high-watermark": 1}}');
  });

  it('keeps view options (security_barrier, check_option, security_invoker) and table, TOAST and column settings', async () => {
    await freshSchema(db.pool, 'options');
    const invoker = db.major >= 15 ? ', security_invoker = true' : '';
    await db.pool.query(`
      CREATE TABLE options.t (id int PRIMARY KEY, v text) WITH (fillfactor = 70, autovacuum_enabled = false, toast.autovacuum_enabled = false);
      ALTER TABLE options.t ALTER COLUMN v SET STATISTICS 500, ALTER COLUMN v SET (n_distinct = 42), ALTER COLUMN v SET STORAGE EXTERNAL;
      CREATE VIEW options.barrier WITH (security_barrier = true${invoker}) AS SELECT id, v FROM options.t WHERE id > 0;
      CREATE VIEW options.checked AS SELECT id, v FROM options.t WHERE id > 0 WITH LOCAL CHECK OPTION;
      CREATE MATERIALIZED VIEW options.m WITH (fillfactor = 50) AS SELECT id FROM options.t;
      ALTER MATERIALIZED VIEW options.m ALTER COLUMN id SET STATISTICS 300`);
    const settings = `
      SELECT c.relname, c.reloptions::text, (SELECT reloptions::text FROM pg_class WHERE oid = c.reltoastrelid) AS toast,
             ARRAY(SELECT attname || ' ' || coalesce(attstattarget::int, -1) || ' ' || coalesce(attoptions::text, '') || ' ' || attstorage::text
                     FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0 ORDER BY attnum) AS columns
        FROM pg_class c WHERE c.relnamespace = 'options'::regnamespace AND c.relkind IN ('r', 'v', 'm') ORDER BY 1`;
    const before = (await db.pool.query(settings)).rows;
    await rebuildAndSwap(db.pool, { schema: 'options', name: 't' }, { columns: 'id int PRIMARY KEY, v text', fill: `SELECT 1, 'x'` });
    expect((await db.pool.query(settings)).rows).toEqual(before);
    expect(before.find((r: { relname: string }) => r.relname === 'checked')).toMatchObject({ reloptions: '{check_option=local}' });
    await expect(db.pool.query(`INSERT INTO options.checked VALUES (-1, 'no')`)).rejects.toThrow(/check option/);
  });

  it('re-creates matview indexes, keeps WITH NO DATA as such, and populates the others', async () => {
    await freshSchema(db.pool, 'mv');
    await db.pool.query(`
      CREATE TABLE mv.t (id int PRIMARY KEY, v text); INSERT INTO mv.t VALUES (1, 'a'), (2, 'b');
      CREATE MATERIALIZED VIEW mv.full_one AS SELECT id, v FROM mv.t;
      CREATE UNIQUE INDEX full_one_id ON mv.full_one (id);
      CREATE INDEX full_one_lower ON mv.full_one (lower(v)) WHERE id > 0;
      CLUSTER mv.full_one USING full_one_id;
      CREATE MATERIALIZED VIEW mv.empty_one AS SELECT id FROM mv.t WITH NO DATA;
      CREATE INDEX empty_one_id ON mv.empty_one (id)`);
    const indexes = `SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def, indisclustered
                       FROM pg_index WHERE indrelid IN ('mv.full_one'::regclass, 'mv.empty_one'::regclass) ORDER BY 1`;
    const before = (await db.pool.query(indexes)).rows;
    await rebuildAndSwap(db.pool, { schema: 'mv', name: 't' }, { columns: 'id int PRIMARY KEY, v text', fill: `SELECT * FROM mv.t UNION ALL VALUES (3, 'c')` });
    expect((await db.pool.query(indexes)).rows).toEqual(before);
    const populated = await db.pool.query(`SELECT matviewname, ispopulated FROM pg_matviews WHERE schemaname = 'mv' ORDER BY 1`);
    expect(populated.rows).toEqual([
      { matviewname: 'empty_one', ispopulated: false },
      { matviewname: 'full_one', ispopulated: true },
    ]);
    expect(await rowsOf(db.pool, { schema: 'mv', name: 'full_one' })).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
    // The unique index makes REFRESH … CONCURRENTLY possible again.
    await db.pool.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY mv.full_one`);
  });

  it('keeps triggers (and their firing state), rules, row-level security and policies, statistics objects', async () => {
    await freshSchema(db.pool, 'extras');
    const auditor = await db.createRole('auditor');
    await db.pool.query(`
      CREATE TABLE extras.t (id int PRIMARY KEY, v text, owner_name text);
      CREATE TABLE extras.audit (id int, what text);
      CREATE FUNCTION extras.stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.v := upper(NEW.v); RETURN NEW; END $$;
      CREATE FUNCTION extras.log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO extras.audit VALUES (NEW.id, TG_NAME); RETURN NEW; END $$;
      CREATE TRIGGER stamp BEFORE INSERT OR UPDATE OF v ON extras.t FOR EACH ROW EXECUTE FUNCTION extras.stamp();
      CREATE TRIGGER quiet AFTER INSERT ON extras.t FOR EACH ROW EXECUTE FUNCTION extras.log();
      ALTER TABLE extras.t DISABLE TRIGGER quiet;
      COMMENT ON TRIGGER stamp ON extras.t IS 'upper-cases v';
      CREATE VIEW extras.v AS SELECT id, v FROM extras.t;
      CREATE FUNCTION extras.insert_through() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO extras.t VALUES (NEW.id, NEW.v); RETURN NEW; END $$;
      CREATE TRIGGER through INSTEAD OF INSERT ON extras.v FOR EACH ROW EXECUTE FUNCTION extras.insert_through();
      CREATE RULE no_delete AS ON DELETE TO extras.t DO INSTEAD NOTHING;
      CREATE RULE log_update AS ON UPDATE TO extras.t DO ALSO INSERT INTO extras.audit SELECT NEW.id, 'updated' FROM extras.v WHERE false;
      ALTER TABLE extras.t ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
      CREATE POLICY own_rows ON extras.t AS PERMISSIVE FOR SELECT TO PUBLIC USING (owner_name = current_user);
      CREATE POLICY no_strangers ON extras.t AS RESTRICTIVE FOR ALL TO ${auditor.name} USING (id > 0) WITH CHECK (id < 1000);
      CREATE POLICY via_view ON extras.t FOR UPDATE USING (EXISTS (SELECT 1 FROM extras.v WHERE v.id = t.id));
      COMMENT ON POLICY own_rows ON extras.t IS 'each sees their own';
      CREATE STATISTICS extras.st (ndistinct, dependencies) ON id, v FROM extras.t;
      ALTER STATISTICS extras.st SET STATISTICS 200`);
    const catalog = `
      SELECT 'trigger ' || tgname || ' ' || tgenabled::text || ' ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid IN ('extras.t'::regclass, 'extras.v'::regclass) AND NOT tgisinternal
      UNION ALL SELECT 'rule ' || pg_get_ruledef(oid) FROM pg_rewrite WHERE ev_class = 'extras.t'::regclass
      UNION ALL SELECT 'policy ' || polname || ' ' || polpermissive || ' ' || polcmd::text || ' ' || polroles::regrole[]::text || ' ' || coalesce(pg_get_expr(polqual, polrelid), '') || ' ' || coalesce(pg_get_expr(polwithcheck, polrelid), '') FROM pg_policy WHERE polrelid = 'extras.t'::regclass
      UNION ALL SELECT 'rls ' || relrowsecurity || ' ' || relforcerowsecurity FROM pg_class WHERE oid = 'extras.t'::regclass
      UNION ALL SELECT 'statistics ' || pg_get_statisticsobjdef(oid) || ' ' || coalesce(stxstattarget::int, -1) FROM pg_statistic_ext WHERE stxrelid = 'extras.t'::regclass
      ORDER BY 1`;
    const before = (await db.pool.query({ text: catalog, rowMode: 'array' })).rows;
    const comments = await commentsIn('extras');
    const result = await rebuildAndSwap(db.pool, { schema: 'extras', name: 't' }, { columns: 'id int PRIMARY KEY, v text, owner_name text' });
    expect((await db.pool.query({ text: catalog, rowMode: 'array' })).rows).toEqual(before);
    expect(await commentsIn('extras')).toEqual(comments);
    // The policy and the rule that read the view were dropped before the view and re-created after it.
    expect(result.statements.filter((s) => s.step === 'prepare').map((s) => s.sql)).toEqual([
      'DROP RULE "log_update" ON "extras"."t" RESTRICT',
      'DROP POLICY "via_view" ON "extras"."t"',
    ]);
    // The triggers work on the new table: through the view, upper-cased, the disabled one silent.
    await db.pool.query(`INSERT INTO extras.v VALUES (1, 'hello')`);
    expect(await scalar(`SELECT v FROM extras.t`)).toBe('HELLO');
    expect(await scalar(`SELECT count(*)::int FROM extras.audit`)).toBe(0);
  });

  it('continues owned sequences and keeps the names of constraints, indexes and sequences stable', async () => {
    await freshSchema(db.pool, 'names');
    await db.pool.query(`
      CREATE TABLE names.t (id serial CONSTRAINT t_primary PRIMARY KEY, code text CONSTRAINT code_unique UNIQUE, v text,
                            n int GENERATED BY DEFAULT AS IDENTITY, CONSTRAINT v_not_empty CHECK (v <> ''));
      CREATE INDEX v_lookup ON names.t (v) WHERE v IS NOT NULL;
      INSERT INTO names.t (code, v) SELECT 'c' || g, 'v' || g FROM generate_series(1, 10) g;
      ALTER TABLE names.t ALTER COLUMN code SET NOT NULL;
      ALTER TABLE names.t REPLICA IDENTITY USING INDEX code_unique`);
    const names = `
      SELECT 'constraint ' || conname || ' ' || contype::text FROM pg_constraint WHERE conrelid = 'names.t'::regclass AND contype <> 'n'
      UNION ALL SELECT 'index ' || indexrelid::regclass::text || ' ' || indisreplident FROM pg_index WHERE indrelid = 'names.t'::regclass
      UNION ALL SELECT 'sequence ' || pg_get_serial_sequence('names.t', 'id') || ' ' || pg_get_serial_sequence('names.t', 'n')
      ORDER BY 1`;
    const before = (await db.pool.query({ text: names, rowMode: 'array' })).rows;
    await rebuildAndSwap(db.pool, { schema: 'names', name: 't' }, {
      columns: `id serial PRIMARY KEY, code text NOT NULL UNIQUE, v text, n int GENERATED BY DEFAULT AS IDENTITY, CHECK (v <> '')`,
      fill: 'OVERRIDING SYSTEM VALUE SELECT * FROM names.t',
      after: ['CREATE INDEX ON {} (v) WHERE v IS NOT NULL', 'CREATE INDEX extra_index ON {} (code, v)'],
    });
    const after = (await db.pool.query({ text: names, rowMode: 'array' })).rows;
    expect(after).toEqual([...before, ['index names.extra_index false']].sort((a, b) => String(a).localeCompare(String(b))));
    const next = await db.pool.query(`INSERT INTO names.t (code, v) VALUES ('next', 'x') RETURNING id, n`);
    expect(next.rows).toEqual([{ id: 11, n: 11 }]);
  });

  it('keeps replica identity FULL and publication membership (with column list and row filter from PostgreSQL 15)', async () => {
    await freshSchema(db.pool, 'pubs');
    await db.pool.query(`CREATE TABLE pubs.t (id int PRIMARY KEY, v text, secret text); ALTER TABLE pubs.t REPLICA IDENTITY FULL`);
    const filtered = db.major >= 15 ? 'pubs.t (id, v) WHERE (id > 10)' : 'pubs.t';
    await db.pool.query(`CREATE PUBLICATION swap_pub_a FOR TABLE ${filtered}`);
    await db.pool.query(`CREATE PUBLICATION swap_pub_b FOR TABLE pubs.t`);
    try {
      const membership = db.major >= 15
        ? `SELECT pubname, attnames::text, rowfilter FROM pg_publication_tables WHERE schemaname = 'pubs' ORDER BY 1`
        : `SELECT pubname FROM pg_publication_tables WHERE schemaname = 'pubs' ORDER BY 1`;
      const before = (await db.pool.query(membership)).rows;
      await rebuildAndSwap(db.pool, { schema: 'pubs', name: 't' }, { columns: 'id int PRIMARY KEY, v text, secret text' });
      expect((await db.pool.query(membership)).rows).toEqual(before);
      expect(before).toHaveLength(2);
      expect(await scalar(`SELECT relreplident FROM pg_class WHERE oid = 'pubs.t'::regclass`)).toBe('f');
    } finally {
      await db.pool.query(`DROP PUBLICATION swap_pub_a, swap_pub_b`);
    }
  });

  it('returns definitions unchanged for a matview chain with owners, grants and comments in one go', async () => {
    await freshSchema(db.pool, 'combo');
    const reader = await db.createRole('combo_reader');
    await db.pool.query(`
      CREATE TABLE combo.t (id int PRIMARY KEY, v text); INSERT INTO combo.t VALUES (1, 'a');
      CREATE VIEW combo.v1 AS SELECT id, v FROM combo.t;
      CREATE MATERIALIZED VIEW combo.m1 AS SELECT id, v FROM combo.v1;
      CREATE VIEW combo.v2 AS SELECT count(*) AS n FROM combo.m1;
      GRANT SELECT ON combo.v2 TO ${reader.name};
      COMMENT ON VIEW combo.v2 IS 'count'`);
    const before = await viewDefinitions(db.pool, 'combo');
    await rebuildAndSwap(db.pool, { schema: 'combo', name: 't' }, { columns: 'id int PRIMARY KEY, v text', fill: `VALUES (1, 'a'), (2, 'b')` });
    expect(await viewDefinitions(db.pool, 'combo')).toEqual(before);
    expect(await scalar(`SELECT n::int FROM combo.v2`)).toBe(2);
    expect(await scalar(`SELECT has_table_privilege($1, 'combo.v2', 'SELECT')`, [reader.name])).toBe(true);
  });
});
