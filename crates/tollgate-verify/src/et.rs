//! A change log kept by event triggers (superusers only): what each step of a migration
//! created, altered or dropped, read back in the step's own last message.
//!
//! Two event triggers (`ddl_command_end`, `sql_drop`) run a function of the session's
//! temporary schema, which appends one line per object to the custom setting
//! `tollgate.changed`. [`TAIL_SQL`] reads the log, empties it, and looks up in the catalogs
//! what the tracker needs to plan the read (kind and names of the relations, types and
//! functions named, their columns, the relations of constraints, triggers, defaults and
//! rules). It returns all of it as one text value, so that it can ride in the message that
//! ends a side with no change to how the runner reads that message.

/// The marker the log starts with: a log without it was reset (`RESET ALL`, `DISCARD ALL`)
/// and cannot be trusted.
const MARK: &str = "tollgate";

/// Creates the log's function, its two event triggers and the prepared statement that reads it.
pub(crate) fn setup_sql(settings: &str) -> String {
    format!(
        r#"SELECT pg_catalog.set_config('tollgate.changed', '{MARK}', false),
  pg_catalog.set_config('tollgate.window', pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot())::text, false);
CREATE FUNCTION pg_temp.tollgate_log() RETURNS event_trigger LANGUAGE plpgsql AS $tollgate$
DECLARE r record; acc text := pg_catalog.current_setting('tollgate.changed', true);
BEGIN
  IF TG_EVENT = 'sql_drop' THEN
    FOR r IN SELECT o.classid, o.objid, o.objsubid, o.address_names FROM pg_catalog.pg_event_trigger_dropped_objects() o LOOP
      acc := acc || E'\n' || 'd ' || coalesce(r.classid::int8, 0) || ' ' || coalesce(r.objid::int8, 0) || ' '
        || coalesce(r.objsubid, 0) || ' ' || CASE WHEN r.classid IN ('pg_catalog.pg_constraint'::regclass,
             'pg_catalog.pg_trigger'::regclass, 'pg_catalog.pg_attrdef'::regclass, 'pg_catalog.pg_rewrite'::regclass)
           AND pg_catalog.cardinality(r.address_names) >= 3
          THEN pg_catalog.encode(pg_catalog.convert_to(pg_catalog.quote_ident(r.address_names[1]) || '.'
            || pg_catalog.quote_ident(r.address_names[2]), 'UTF8'), 'hex') ELSE '' END;
    END LOOP;
  ELSE
    FOR r IN SELECT o.classid, o.objid, o.objsubid FROM pg_catalog.pg_event_trigger_ddl_commands() o LOOP
      -- Privileges show in no snapshot (the relation's row, rewritten, is read again anyway).
      CONTINUE WHEN r.classid IS NULL AND TG_TAG IN ('GRANT', 'REVOKE');
      acc := acc || E'\n' || 'c ' || coalesce(r.classid::int8, 0) || ' ' || coalesce(r.objid::int8, 0) || ' '
        || coalesce(r.objsubid, 0) || ' ';
    END LOOP;
  END IF;
  IF pg_catalog.length(acc) > 1000000 THEN
    -- Too much to list: the tail reads everything again.
    acc := '{MARK}' || E'\no';
  END IF;
  PERFORM pg_catalog.set_config('tollgate.changed', acc, false);
END $tollgate$;
CREATE EVENT TRIGGER tollgate_verify_end ON ddl_command_end EXECUTE FUNCTION pg_temp.tollgate_log();
CREATE EVENT TRIGGER tollgate_verify_drop ON sql_drop EXECUTE FUNCTION pg_temp.tollgate_log();
ALTER EVENT TRIGGER tollgate_verify_end ENABLE ALWAYS;
ALTER EVENT TRIGGER tollgate_verify_drop ENABLE ALWAYS;
PREPARE tollgate_changes AS
WITH v AS MATERIALIZED (SELECT coalesce(pg_catalog.current_setting('tollgate.changed', true), '') AS v,
    pg_catalog.age(coalesce(pg_catalog.current_setting('tollgate.window', true), '3')::xid) AS w),
r AS MATERIALIZED (SELECT pg_catalog.set_config('tollgate.changed', '{MARK}', false) AS r,
    pg_catalog.set_config('tollgate.window', pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot())::text, false)
  FROM v),
l AS MATERIALIZED (
  SELECT m[1] AS k, m[2]::oid AS classid, m[3]::oid AS objid, m[4]::int4 AS sub,
    CASE WHEN m[5] <> '' THEN pg_catalog.convert_from(pg_catalog.decode(m[5], 'hex'), 'UTF8') END AS rel
  FROM v, r, pg_catalog.regexp_split_to_table(v.v, E'\n') x,
    pg_catalog.regexp_match(x, '^([cd]) ([0-9]+) ([0-9]+) (-?[0-9]+) ([0-9a-f]*)$') m
  WHERE x <> '{MARK}'),
cls AS MATERIALIZED (
  SELECT DISTINCT l.objid AS oid FROM l WHERE l.k = 'c' AND l.classid = 'pg_catalog.pg_class'::regclass),
o AS (
  SELECT 'meta'::text AS tag,
    (transaction_timestamp() < statement_timestamp() OR pg_catalog.pg_current_xact_id_if_assigned() IS NOT NULL)::int::int8 AS a,
    NULL::int8 AS b, NULL::int8 AS c, {settings} AS s, NULL::text AS t
  UNION ALL SELECT 'lost', NULL, NULL, NULL, NULL, NULL FROM v
    WHERE v.v NOT LIKE '{MARK}%' OR pg_catalog.strpos(v.v || E'\n', E'\no\n') > 0
      OR (SELECT pg_catalog.count(*) FROM pg_catalog.pg_event_trigger e
          WHERE e.evtname IN ('tollgate_verify_end', 'tollgate_verify_drop') AND e.evtenabled = 'A') <> 2
  UNION ALL SELECT 'inherit', c.oid::int8, NULL, NULL, NULL, NULL
    FROM cls JOIN pg_catalog.pg_class c ON c.oid = cls.oid
    WHERE c.relkind = 'p' OR c.relispartition OR c.relhassubclass
      OR EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid)
  UNION ALL SELECT 'composite', t.oid::int8, NULL, NULL, NULL, NULL
    FROM l JOIN pg_catalog.pg_type t ON t.oid = l.objid
    WHERE l.k = 'c' AND l.classid = 'pg_catalog.pg_type'::regclass AND t.typtype = 'c'
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c')
  UNION ALL SELECT 'class', c.oid::int8, pg_catalog.ascii(c.relkind::text)::int8,
      (EXISTS (SELECT 1 FROM pg_catalog.pg_class o WHERE o.relname = c.relname AND o.oid <> c.oid))::int::int8,
      n.nspname::text, c.relname::text
    FROM cls JOIN pg_catalog.pg_class c ON c.oid = cls.oid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  UNION ALL SELECT 'att', a.attrelid::int8, a.attnum::int8, a.attisdropped::int::int8, a.attname::text, NULL
    FROM cls JOIN pg_catalog.pg_attribute a ON a.attrelid = cls.oid AND a.attnum > 0
  UNION ALL SELECT 'rel', (CASE l.classid
        WHEN 'pg_catalog.pg_constraint'::regclass THEN (SELECT x.conrelid FROM pg_catalog.pg_constraint x WHERE x.oid = l.objid)
        WHEN 'pg_catalog.pg_trigger'::regclass THEN (SELECT x.tgrelid FROM pg_catalog.pg_trigger x WHERE x.oid = l.objid)
        WHEN 'pg_catalog.pg_attrdef'::regclass THEN (SELECT x.adrelid FROM pg_catalog.pg_attrdef x WHERE x.oid = l.objid)
        WHEN 'pg_catalog.pg_rewrite'::regclass THEN (SELECT x.ev_class FROM pg_catalog.pg_rewrite x WHERE x.oid = l.objid)
      END)::int8, NULL, NULL, NULL, NULL
    FROM l WHERE l.k = 'c' AND l.classid IN ('pg_catalog.pg_constraint'::regclass, 'pg_catalog.pg_trigger'::regclass,
      'pg_catalog.pg_attrdef'::regclass, 'pg_catalog.pg_rewrite'::regclass)
  UNION ALL SELECT 'rel', pg_catalog.to_regclass(l.rel)::oid::int8, NULL, NULL, NULL, NULL
    FROM l WHERE l.k = 'd' AND l.rel IS NOT NULL
  UNION ALL SELECT 'rel', l.objid::int8, NULL, NULL, NULL, NULL
    FROM l WHERE l.k = 'd' AND l.classid = 'pg_catalog.pg_class'::regclass AND l.sub > 0
  UNION ALL SELECT 'rel', c.oid::int8, NULL, NULL, NULL, NULL FROM pg_catalog.pg_class c, v, r
    WHERE c.oid >= 16384 AND pg_catalog.age(c.xmin) <= v.w
  UNION ALL SELECT 'type', t.oid::int8, pg_catalog.ascii(t.typtype::text)::int8,
      (EXISTS (SELECT 1 FROM pg_catalog.pg_type o WHERE o.typname = t.typname AND o.oid <> t.oid))::int::int8,
      n.nspname::text, t.typname::text
    FROM l JOIN pg_catalog.pg_type t ON t.oid = l.objid JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    WHERE l.k = 'c' AND l.classid = 'pg_catalog.pg_type'::regclass
  UNION ALL SELECT 'proc', p.oid::int8, NULL,
      (EXISTS (SELECT 1 FROM pg_catalog.pg_proc o WHERE o.proname = p.proname AND o.oid <> p.oid))::int::int8,
      n.nspname::text, p.proname::text
    FROM l JOIN pg_catalog.pg_proc p ON p.oid = l.objid JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE l.k = 'c' AND l.classid = 'pg_catalog.pg_proc'::regclass
  UNION ALL SELECT 'nsp', n.oid::int8, NULL, NULL, n.nspname::text, NULL FROM pg_catalog.pg_namespace n
    WHERE EXISTS (SELECT 1 FROM l WHERE l.classid = 'pg_catalog.pg_namespace'::regclass)
  UNION ALL SELECT 'drop', l.classid::int8, l.objid::int8, NULL, NULL, NULL FROM l WHERE l.k = 'd' AND l.sub = 0
  UNION ALL SELECT 'other', l.classid::int8, NULL, NULL, NULL, NULL FROM l
    WHERE l.classid NOT IN ('pg_catalog.pg_class'::regclass, 'pg_catalog.pg_type'::regclass,
      'pg_catalog.pg_proc'::regclass, 'pg_catalog.pg_namespace'::regclass, 'pg_catalog.pg_constraint'::regclass,
      'pg_catalog.pg_trigger'::regclass, 'pg_catalog.pg_attrdef'::regclass, 'pg_catalog.pg_rewrite'::regclass)
)
SELECT 'et' || coalesce(pg_catalog.string_agg(o.tag || E'\t' || coalesce(o.a::text, '') || E'\t'
  || coalesce(o.b::text, '') || E'\t' || coalesce(o.c::text, '') || E'\t'
  || coalesce('x' || pg_catalog.encode(pg_catalog.convert_to(o.s, 'UTF8'), 'hex'), '') || E'\t'
  || coalesce('x' || pg_catalog.encode(pg_catalog.convert_to(o.t, 'UTF8'), 'hex'), ''), E'\n'), '')
  AS tollgate_flushed FROM o;
"#
    )
}

/// What the runner appends to a side's last message (and what the tracker runs itself when
/// no message carried it).
pub(crate) const TAIL_SQL: &str = "EXECUTE tollgate_changes";

/// One row of the log, in the shape of the tracker's detection rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Row {
    pub tag: String,
    pub a: Option<i64>,
    pub b: Option<i64>,
    pub c: Option<i64>,
    pub s: Option<String>,
    pub t: Option<String>,
}

/// Parses what [`TAIL_SQL`] returned; `None` when it is not such a text.
pub(crate) fn parse(text: &str) -> Option<Vec<Row>> {
    let body = text.strip_prefix("et")?;
    let mut out = Vec::new();
    for line in body.split('\n').filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 6 {
            return None;
        }
        let int = |s: &str| -> Option<Option<i64>> {
            if s.is_empty() {
                Some(None)
            } else {
                s.parse().ok().map(Some)
            }
        };
        let txt = |s: &str| -> Option<Option<String>> {
            if s.is_empty() {
                return Some(None);
            }
            let hex = s.strip_prefix('x')?;
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
                .collect::<Option<Vec<u8>>>()?;
            String::from_utf8(bytes).ok().map(Some)
        };
        out.push(Row {
            tag: f[0].to_string(),
            a: int(f[1])?,
            b: int(f[2])?,
            c: int(f[3])?,
            s: txt(f[4])?,
            t: txt(f[5])?,
        });
    }
    Some(out)
}
