#!/usr/bin/env python3
"""Generate the benchmark inputs for tollgate (python3 standard library only).

    python3 bench/gen_corpus.py OUT_DIR [--seed N]

writes

* OUT_DIR/corpus-1000/      1,000 migration files (000001_<name>.sql ...) holding 10,000
                            statements of mixed PostgreSQL DDL/DML as found in real migration
                            histories. Tables created by early files are altered, indexed,
                            renamed and dropped by later ones, so the ordering is meaningful.
* OUT_DIR/findings-10k.sql  one file of 10,000 statements written so that tollgate reports about
                            20,000 findings on it (stress test for the reporters).

The output is fully deterministic for a given seed (default 20240611). A summary is written to
OUT_DIR/corpus-summary.json and printed.
"""

import argparse
import json
import os
import random
import shutil
import sys

DEFAULT_SEED = 20240611
CORPUS_FILES = 1000
CORPUS_STATEMENTS = 10_000
FINDINGS_STATEMENTS = 10_000

MODULES = [
    "", "billing", "crm", "auth", "catalog", "shipping", "analytics", "support", "hr",
    "cms", "inventory", "marketing", "payroll", "scheduling", "compliance", "partner",
]
ENTITIES = [
    "users", "accounts", "orders", "order_items", "products", "invoices", "payments",
    "sessions", "events", "audit_log", "teams", "memberships", "projects", "tasks",
    "comments", "attachments", "notifications", "subscriptions", "plans", "coupons",
    "addresses", "shipments", "warehouses", "stock_levels", "reviews", "tags", "taggings",
    "api_keys", "webhooks", "webhook_deliveries", "feature_flags", "contacts", "notes",
    "reports", "jobs", "settings", "documents", "tickets", "refunds", "price_lists",
]
COLUMN_POOL = [
    ("email", "text"), ("name", "text"), ("status", "varchar(32)"),
    ("amount_cents", "bigint"), ("currency", "char(3)"), ("external_id", "varchar(64)"),
    ("description", "text"), ("metadata", "jsonb"), ("notes", "text"), ("priority", "smallint"),
    ("due_at", "timestamptz"), ("archived_at", "timestamptz"), ("score", "numeric(10,2)"),
    ("slug", "varchar(128)"), ("title", "varchar(255)"), ("phone", "varchar(32)"),
    ("country_code", "char(2)"), ("locale", "varchar(16)"), ("timezone", "text"),
    ("version", "integer"), ("deleted_at", "timestamptz"), ("processed_at", "timestamp"),
    ("retries", "integer"), ("source", "text"), ("kind", "varchar(40)"), ("is_active", "boolean"),
    ("quantity", "integer"), ("unit_price", "numeric(12,2)"), ("starts_on", "date"),
    ("ends_on", "date"), ("settings", "json"), ("token_hash", "bytea"), ("uuid", "uuid"),
    ("position", "integer"), ("color", "varchar(7)"), ("url", "text"), ("ip_address", "inet"),
    ("user_agent", "text"), ("payload", "jsonb"), ("error_message", "text"),
    ("last_seen_at", "timestamptz"), ("locked", "boolean"), ("rating", "smallint"),
    ("weight_grams", "integer"), ("sku", "varchar(64)"), ("vat_rate", "numeric(5,2)"),
]
WIDER_TYPE = {
    "integer": "bigint", "smallint": "integer", "varchar(32)": "varchar(64)",
    "varchar(64)": "varchar(128)", "varchar(128)": "text", "varchar(255)": "text",
    "varchar(16)": "varchar(32)", "varchar(40)": "text", "varchar(7)": "varchar(9)",
    "timestamp": "timestamptz", "json": "jsonb", "numeric(10,2)": "numeric(14,2)",
    "numeric(12,2)": "numeric(16,4)", "char(2)": "varchar(8)", "char(3)": "varchar(8)",
    "numeric(5,2)": "numeric(7,3)",
}
NARROWER_TYPE = {
    "text": "varchar(255)", "bigint": "integer", "integer": "smallint", "timestamptz": "date",
    "varchar(255)": "varchar(100)", "jsonb": "json", "numeric(12,2)": "integer",
}
STATUS_VALUES = ["pending", "active", "suspended", "archived", "failed", "done", "draft"]


class Schema:
    """Tracks what the migration history has created so later files touch real objects."""

    def __init__(self, rng):
        self.rng = rng
        self.tables = {}          # name -> list of [column, type]
        self.table_order = []
        self.indexes = []         # (index name, table)
        self.views = []
        self.functions = []
        self.enums = {}           # type name -> values
        self.counter = 0
        self.unused_names = [
            (m + "_" + e) if m else e for m in MODULES for e in ENTITIES
        ]
        rng.shuffle(self.unused_names)
        # keep the plain, familiar names first
        plain = [n for n in self.unused_names if "_" not in n or n in ENTITIES]
        rest = [n for n in self.unused_names if n not in plain]
        self.unused_names = plain + rest

    def next_id(self):
        self.counter += 1
        return self.counter

    def new_table_name(self):
        if self.unused_names:
            return self.unused_names.pop(0)
        return "tbl_%d" % self.next_id()

    def pick_table(self, recent_bias=True):
        if recent_bias and self.rng.random() < 0.6:
            window = self.table_order[-25:]
            return self.rng.choice(window)
        return self.rng.choice(self.table_order)

    def add_table(self, name, cols):
        self.tables[name] = cols
        self.table_order.append(name)

    def drop_table(self, name):
        del self.tables[name]
        self.table_order.remove(name)
        self.indexes = [i for i in self.indexes if i[1] != name]

    def non_key_columns(self, table):
        return [c for c in self.tables[table] if c[0] not in ("id", "created_at", "updated_at")
                and not c[0].endswith("_id")]


def singular(table):
    word = table.split("_")[-1]
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def q(rng, value):
    return "'" + value.replace("'", "''") + "'"


class CorpusGen:
    def __init__(self, rng):
        self.rng = rng
        self.s = Schema(rng)

    # ----- individual statements -------------------------------------------------------------
    def create_table(self):
        rng, s = self.rng, self.s
        name = s.new_table_name()
        cols = [["id", "bigserial"]]
        lines = ["    id bigserial PRIMARY KEY"]
        fk_parent = None
        if s.table_order and rng.random() < 0.6:
            fk_parent = s.pick_table()
            col = singular(fk_parent) + "_id"
            if col == "_id":
                col = "parent_id"
            on_delete = rng.choice(["", " ON DELETE CASCADE", " ON DELETE SET NULL", " ON DELETE RESTRICT"])
            lines.append("    %s bigint NOT NULL REFERENCES %s (id)%s" % (col, fk_parent, on_delete))
            cols.append([col, "bigint"])
        for colname, ctype in rng.sample(COLUMN_POOL, rng.randint(2, 7)):
            if any(c[0] == colname for c in cols):
                continue
            extra = ""
            r = rng.random()
            if colname == "status":
                extra = " NOT NULL DEFAULT 'pending'"
            elif ctype == "boolean":
                extra = " NOT NULL DEFAULT false"
            elif ctype in ("jsonb", "json"):
                extra = " NOT NULL DEFAULT '{}'"
            elif r < 0.3:
                extra = " NOT NULL"
            elif r < 0.4 and ctype in ("integer", "smallint", "bigint"):
                extra = " NOT NULL DEFAULT 0"
            elif r < 0.45 and colname in ("email", "slug", "external_id", "sku"):
                extra = " UNIQUE"
            lines.append("    %s %s%s" % (colname, ctype, extra))
            cols.append([colname, ctype])
        lines.append("    created_at timestamptz NOT NULL DEFAULT now()")
        lines.append("    updated_at timestamptz NOT NULL DEFAULT now()")
        cols += [["created_at", "timestamptz"], ["updated_at", "timestamptz"]]
        numeric = [c for c in cols if c[1] in ("integer", "bigint", "smallint") and c[0] != "id"]
        if numeric and rng.random() < 0.35:
            c = rng.choice(numeric)[0]
            lines.append("    CONSTRAINT %s_%s_check CHECK (%s >= 0)" % (name, c, c))
        if rng.random() < 0.15:
            textcols = [c[0] for c in cols if c[1].startswith(("text", "varchar"))]
            if len(textcols) >= 1 and fk_parent:
                lines.append("    CONSTRAINT %s_uniq UNIQUE (%s, %s)" % (name, cols[1][0], textcols[0]))
        ine = "IF NOT EXISTS " if rng.random() < 0.2 else ""
        s.add_table(name, cols)
        return "CREATE TABLE %s%s (\n%s\n);" % (ine, name, ",\n".join(lines)), "create_" + name

    def add_column(self):
        rng, s = self.rng, self.s
        t = s.pick_table()
        existing = {c[0] for c in s.tables[t]}
        choices = [c for c in COLUMN_POOL if c[0] not in existing]
        if not choices:
            colname, ctype = "extra_%d" % s.next_id(), "text"
        else:
            colname, ctype = rng.choice(choices)
        r = rng.random()
        if r < 0.45:
            tail = ""
        elif r < 0.65:
            default = {
                "boolean": "false", "integer": "0", "bigint": "0", "smallint": "0",
                "jsonb": "'{}'::jsonb", "json": "'{}'", "timestamptz": "now()",
                "timestamp": "CURRENT_TIMESTAMP", "uuid": "gen_random_uuid()",
                "date": "CURRENT_DATE",
            }.get(ctype, "''")
            tail = " NOT NULL DEFAULT %s" % default if rng.random() < 0.6 else " DEFAULT %s" % default
        elif r < 0.75:
            tail = " NOT NULL"
        elif r < 0.85 and ctype in ("integer", "bigint"):
            tail = " CHECK (%s >= 0)" % colname
        else:
            tail = ""
        s.tables[t].append([colname, ctype])
        ine = "IF NOT EXISTS " if rng.random() < 0.25 else ""
        stmt = "ALTER TABLE %s ADD COLUMN %s%s %s%s;" % (t, ine, colname, ctype, tail)
        if rng.random() < 0.15 and choices:
            # several columns in one ALTER TABLE
            more = [c for c in choices if c[0] != colname]
            if more:
                c2, t2 = rng.choice(more)
                s.tables[t].append([c2, t2])
                stmt = stmt[:-1] + ",\n    ADD COLUMN %s %s;" % (c2, t2)
        return stmt, "add_%s_to_%s" % (colname, t)

    def create_index(self):
        rng, s = self.rng, self.s
        t = s.pick_table()
        cols = [c[0] for c in s.tables[t] if c[1] not in ("jsonb", "json", "bytea", "text")
                and c[0] != "id"]
        if not cols:
            cols = ["created_at"]
        picked = rng.sample(cols, min(len(cols), rng.choice([1, 1, 1, 2, 2, 3])))
        name = "idx_%s_%s" % (t, "_".join(picked))
        if any(i[0] == name for i in s.indexes):
            name += "_%d" % s.next_id()
        unique = "UNIQUE " if rng.random() < 0.15 else ""
        conc = "CONCURRENTLY " if rng.random() < 0.5 else ""
        ine = "IF NOT EXISTS " if rng.random() < 0.3 else ""
        using = ""
        colspec = ", ".join(picked)
        r = rng.random()
        jsoncols = [c[0] for c in s.tables[t] if c[1] == "jsonb"]
        if r < 0.1 and jsoncols:
            using = " USING gin"
            colspec = rng.choice(jsoncols)
            unique = ""
        elif r < 0.2:
            colspec = colspec + " DESC"
        where = ""
        if rng.random() < 0.15:
            where = " WHERE deleted_at IS NULL" if any(c[0] == "deleted_at" for c in s.tables[t]) \
                else " WHERE %s IS NOT NULL" % picked[0]
        s.indexes.append((name, t))
        return "CREATE %sINDEX %s%s%s ON %s%s (%s)%s;" % (
            unique, conc, ine, name, t, using, colspec, where), "index_" + t

    def alter_type(self):
        rng, s = self.rng, self.s
        t = s.pick_table(recent_bias=False)
        cands = [c for c in s.non_key_columns(t) if c[1] in WIDER_TYPE or c[1] in NARROWER_TYPE]
        if not cands:
            return self.add_column()
        col = rng.choice(cands)
        if col[1] in WIDER_TYPE and (col[1] not in NARROWER_TYPE or rng.random() < 0.7):
            new = WIDER_TYPE[col[1]]
        else:
            new = NARROWER_TYPE[col[1]]
        using = ""
        if rng.random() < 0.3:
            using = " USING %s::%s" % (col[0], new)
        old = col[1]
        col[1] = new
        return "ALTER TABLE %s ALTER COLUMN %s TYPE %s%s;" % (t, col[0], new, using), \
            "change_%s_%s_from_%s" % (t, col[0], old.split("(")[0])

    def set_not_null(self):
        rng, s = self.rng, self.s
        t = s.pick_table()
        col = rng.choice(s.non_key_columns(t) or [["created_at", ""]])[0]
        if rng.random() < 0.3:
            return ("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL;" % (t, col),
                    "drop_not_null_%s_%s" % (t, col))
        return "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL;" % (t, col), "not_null_%s_%s" % (t, col)

    def set_default(self):
        rng, s = self.rng, self.s
        t = s.pick_table()
        col = rng.choice(s.tables[t])
        if col[1] == "boolean":
            d = "SET DEFAULT true"
        elif col[1] in ("integer", "bigint", "smallint") and col[0] != "id":
            d = "SET DEFAULT 0"
        elif col[0] == "status":
            d = "SET DEFAULT 'active'"
        else:
            d = "DROP DEFAULT"
        return "ALTER TABLE %s ALTER COLUMN %s %s;" % (t, col[0], d), "default_%s_%s" % (t, col[0])

    def add_fk(self):
        rng, s = self.rng, self.s
        if len(s.table_order) < 2:
            return self.create_table()
        child, parent = rng.sample(s.table_order, 2)
        col = singular(parent) + "_id"
        name = "fk_%s_%s_%d" % (child, col, s.next_id())
        nv = rng.random() < 0.5
        add = ""
        if not any(c[0] == col for c in s.tables[child]):
            # the column arrives in the same ALTER TABLE, as it often does
            s.tables[child].append([col, "bigint"])
            add = "\n    ADD COLUMN %s bigint," % col
        stmt = "ALTER TABLE %s%s\n    ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (id)%s%s;" % (
            child, add, name, col, parent,
            rng.choice(["", " ON DELETE CASCADE", " ON DELETE SET NULL"]),
            " NOT VALID" if nv else "")
        self.pending_validate = (child, name) if nv else None
        return stmt, "fk_%s_%s" % (child, parent)

    def validate(self):
        rng, s = self.rng, self.s
        pv = getattr(self, "pending_validate", None)
        if pv and pv[0] in s.tables:
            self.pending_validate = None
            return "ALTER TABLE %s VALIDATE CONSTRAINT %s;" % pv, "validate_" + pv[1]
        t = s.pick_table()
        numeric = [c[0] for c in s.tables[t] if c[1] in ("integer", "bigint", "smallint", "numeric(10,2)")]
        col = rng.choice(numeric) if numeric else "id"
        name = "%s_%s_positive_%d" % (t, col, s.next_id())
        nv = " NOT VALID" if rng.random() < 0.5 else ""
        return "ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s >= 0)%s;" % (t, name, col, nv), "check_" + t

    def add_unique(self):
        rng, s = self.rng, self.s
        t = s.pick_table()
        idx = [i for i in s.indexes if i[1] == t]
        if idx and rng.random() < 0.5:
            i = rng.choice(idx)[0]
            return ("ALTER TABLE %s ADD CONSTRAINT %s_key UNIQUE USING INDEX %s;" % (t, i[:50], i),
                    "unique_" + t)
        col = rng.choice(s.non_key_columns(t) or [["id", ""]])[0]
        return ("ALTER TABLE %s ADD CONSTRAINT %s_%s_key UNIQUE (%s);" % (t, t, col, col),
                "unique_%s_%s" % (t, col))

    def drop_column(self):
        rng, s = self.rng, self.s
        t = s.pick_table(recent_bias=False)
        cols = s.non_key_columns(t)
        if len(cols) < 2:
            return self.add_column()
        col = rng.choice(cols)
        s.tables[t].remove(col)
        ie = "IF EXISTS " if rng.random() < 0.3 else ""
        return "ALTER TABLE %s DROP COLUMN %s%s;" % (t, ie, col[0]), "drop_%s_%s" % (t, col[0])

    def rename(self):
        rng, s = self.rng, self.s
        t = s.pick_table(recent_bias=False)
        r = rng.random()
        if r < 0.6:
            cols = s.non_key_columns(t)
            if not cols:
                return self.add_column()
            col = rng.choice(cols)
            new = col[0] + rng.choice(["_old", "_v2", "_legacy", "_raw"])
            old = col[0]
            col[0] = new
            return "ALTER TABLE %s RENAME COLUMN %s TO %s;" % (t, old, new), "rename_%s_%s" % (t, old)
        if r < 0.8 and len(s.table_order) > 5:
            new = t + "_archive" if not t.endswith("_archive") else t + "_%d" % s.next_id()
            if new in s.tables:
                new += "_%d" % s.next_id()
            s.tables[new] = s.tables.pop(t)
            s.table_order[s.table_order.index(t)] = new
            s.indexes = [(i, new if tt == t else tt) for i, tt in s.indexes]
            return "ALTER TABLE %s RENAME TO %s;" % (t, new), "rename_%s" % t
        idx = [i for i in s.indexes if i[1] == t]
        if idx:
            i = rng.choice(idx)
            new = i[0][:40] + "_%d" % s.next_id()
            s.indexes.remove(i)
            s.indexes.append((new, t))
            return "ALTER INDEX %s RENAME TO %s;" % (i[0], new), "rename_index_" + t
        return self.add_column()

    def create_view(self):
        rng, s = self.rng, self.s
        t = s.pick_table()
        cols = [c[0] for c in s.tables[t]][:5]
        name = "v_%s_%s" % (t, rng.choice(["active", "recent", "summary", "report"]))
        where = rng.choice([
            "WHERE created_at > now() - interval '30 days'",
            "WHERE id > 0",
            "ORDER BY created_at DESC LIMIT 1000",
            "",
        ])
        replace = "OR REPLACE " if name in s.views or rng.random() < 0.4 else ""
        if name not in s.views:
            s.views.append(name)
        body = "SELECT %s\n    FROM %s\n    %s" % (", ".join(cols), t, where)
        if rng.random() < 0.25 and len(s.table_order) > 3:
            other = rng.choice(s.table_order)
            body = ("SELECT a.id, a.created_at, count(b.id) AS related_count\n    FROM %s a\n"
                    "    LEFT JOIN %s b ON b.id = a.id\n    GROUP BY a.id, a.created_at" % (t, other))
        return "CREATE %sVIEW %s AS\n    %s;" % (replace, name, body.rstrip()), "view_" + name

    def drop_view(self):
        rng, s = self.rng, self.s
        if not s.views:
            return self.create_view()
        v = rng.choice(s.views)
        s.views.remove(v)
        return "DROP VIEW %s%s;" % ("IF EXISTS " if rng.random() < 0.6 else "", v), "drop_" + v

    def update_backfill(self):
        rng, s = self.rng, self.s
        t = s.pick_table()
        cols = s.non_key_columns(t)
        if not cols:
            return self.insert_seed()
        col = rng.choice(cols)
        value = {
            "boolean": "false", "integer": "0", "bigint": "0", "smallint": "0", "jsonb": "'{}'",
            "json": "'{}'", "timestamptz": "now()", "timestamp": "now()", "date": "CURRENT_DATE",
        }.get(col[1], "''")
        if col[0] == "status":
            value = q(rng, rng.choice(STATUS_VALUES))
        r = rng.random()
        if r < 0.5:
            stmt = "UPDATE %s SET %s = %s WHERE %s IS NULL;" % (t, col[0], value, col[0])
        elif r < 0.8:
            stmt = ("UPDATE %s SET %s = %s, updated_at = now()\n    WHERE id IN (SELECT id FROM %s "
                    "WHERE %s IS NULL ORDER BY id LIMIT 10000);" % (t, col[0], value, t, col[0]))
        else:
            stmt = "UPDATE %s SET updated_at = created_at WHERE updated_at IS NULL;" % t
        return stmt, "backfill_%s_%s" % (t, col[0])

    def insert_seed(self):
        rng, s = self.rng, self.s
        t = s.pick_table()
        cols = [c for c in s.tables[t] if c[1] in ("text", "varchar(32)", "varchar(64)",
                                                   "varchar(128)", "varchar(255)", "boolean")]
        if not cols:
            return self.add_column()
        cols = cols[:3]
        rows = []
        for i in range(rng.randint(1, 6)):
            vals = []
            for c in cols:
                if c[1] == "boolean":
                    vals.append(rng.choice(["true", "false"]))
                elif c[0] == "status":
                    vals.append(q(rng, rng.choice(STATUS_VALUES)))
                else:
                    vals.append(q(rng, "%s %d's" % (c[0], i) if rng.random() < 0.1 else "%s-%d" % (c[0], i)))
            rows.append("    (%s)" % ", ".join(vals))
        conflict = " ON CONFLICT DO NOTHING" if rng.random() < 0.3 else ""
        return "INSERT INTO %s (%s) VALUES\n%s%s;" % (
            t, ", ".join(c[0] for c in cols), ",\n".join(rows), conflict), "seed_" + t

    def comment(self):
        rng, s = self.rng, self.s
        t = s.pick_table()
        if rng.random() < 0.5:
            return ("COMMENT ON TABLE %s IS %s;" % (t, q(rng, "Stores %s; owned by the %s team. It's append-mostly." % (
                t.replace("_", " "), rng.choice(["platform", "billing", "growth", "core"])))),
                "comment_" + t)
        col = rng.choice(s.tables[t])[0]
        return ("COMMENT ON COLUMN %s.%s IS %s;" % (t, col, q(rng, "The %s of the row (%s)." % (
            col.replace("_", " "), rng.choice(["nullable", "set by the app", "legacy", "UTC"])))),
            "comment_%s_%s" % (t, col))

    def do_block(self):
        rng, s = self.rng, self.s
        t = s.pick_table()
        r = rng.random()
        if r < 0.4:
            col = "flag_%d" % s.next_id()
            s.tables[t].append([col, "boolean"])
            body = ("BEGIN\n"
                    "    IF NOT EXISTS (SELECT 1 FROM information_schema.columns\n"
                    "                   WHERE table_name = '%s' AND column_name = '%s') THEN\n"
                    "        ALTER TABLE %s ADD COLUMN %s boolean DEFAULT false;\n"
                    "    END IF;\n"
                    "END") % (t, col, t, col)
        elif r < 0.7:
            tname = "%s_state" % t
            if tname in s.enums:
                tname += "_%d" % s.next_id()
            s.enums[tname] = ["new", "open", "closed"]
            body = ("BEGIN\n"
                    "    CREATE TYPE %s AS ENUM ('new', 'open', 'closed');\n"
                    "EXCEPTION\n"
                    "    WHEN duplicate_object THEN NULL;\n"
                    "END") % tname
        else:
            body = ("DECLARE\n"
                    "    batch_size integer := 5000;\n"
                    "    affected integer;\n"
                    "BEGIN\n"
                    "    LOOP\n"
                    "        UPDATE %s SET updated_at = now()\n"
                    "        WHERE id IN (SELECT id FROM %s WHERE updated_at IS NULL LIMIT batch_size);\n"
                    "        GET DIAGNOSTICS affected = ROW_COUNT;\n"
                    "        EXIT WHEN affected = 0;\n"
                    "        RAISE NOTICE 'updated %% rows', affected;\n"
                    "    END LOOP;\n"
                    "END") % (t, t)
        tag = rng.choice(["$$", "$do$"])
        return "DO %s\n%s\n%s;" % (tag, body, tag), "do_" + t

    def create_function(self):
        rng, s = self.rng, self.s
        t = s.pick_table()
        r = rng.random()
        if r < 0.5:
            name = "set_%s_updated_at" % t
            body = ("CREATE OR REPLACE FUNCTION %s() RETURNS trigger\n"
                    "LANGUAGE plpgsql AS $$\n"
                    "BEGIN\n"
                    "    NEW.updated_at := now();\n"
                    "    RETURN NEW;\n"
                    "END;\n"
                    "$$;") % name
            s.functions.append((name, t))
            return body, "fn_" + name
        if r < 0.8:
            name = "count_%s_%d" % (t, s.next_id())
            body = ("CREATE FUNCTION %s(since timestamptz)\n"
                    "RETURNS bigint\n"
                    "LANGUAGE sql STABLE\n"
                    "AS $fn$\n"
                    "    SELECT count(*) FROM %s WHERE created_at >= since;\n"
                    "$fn$;") % (name, t)
            return body, "fn_" + name
        name = "purge_%s_%d" % (t, s.next_id())
        body = ("CREATE OR REPLACE FUNCTION %s(keep_days integer DEFAULT 90)\n"
                "RETURNS void AS $body$\n"
                "DECLARE\n"
                "    cutoff timestamptz := now() - make_interval(days => keep_days);\n"
                "BEGIN\n"
                "    DELETE FROM %s WHERE created_at < cutoff;\n"
                "    -- keep the statistics fresh; note: it's fine to run this twice\n"
                "    EXECUTE format('ANALYZE %%I', '%s');\n"
                "END;\n"
                "$body$ LANGUAGE plpgsql;") % (name, t, t)
        return body, "fn_" + name

    def create_trigger(self):
        rng, s = self.rng, self.s
        fns = [f for f in s.functions if f[1] in s.tables]
        if not fns:
            return self.create_function()
        fn, t = rng.choice(fns)
        name = "trg_%s_updated_at_%d" % (t, s.next_id())
        return ("CREATE TRIGGER %s\n    BEFORE UPDATE ON %s\n    FOR EACH ROW EXECUTE FUNCTION %s();"
                % (name, t, fn)), "trigger_" + t

    def concurrently_unparsed(self):
        rng, s = self.rng, self.s
        if not s.indexes:
            return self.create_index()
        if rng.random() < 0.5:
            i = rng.choice(s.indexes)
            return "REINDEX INDEX CONCURRENTLY %s;" % i[0], "reindex_" + i[0]
        i = rng.choice(s.indexes)
        s.indexes.remove(i)
        return ("DROP INDEX CONCURRENTLY %s%s;" % ("IF EXISTS " if rng.random() < 0.5 else "", i[0]),
                "drop_" + i[0])

    def drop_index(self):
        rng, s = self.rng, self.s
        if not s.indexes:
            return self.create_index()
        i = rng.choice(s.indexes)
        s.indexes.remove(i)
        return "DROP INDEX IF EXISTS %s;" % i[0], "drop_" + i[0]

    def lock_timeout(self):
        rng = self.rng
        if rng.random() < 0.7:
            return "SET lock_timeout = '%ds';" % rng.choice([1, 2, 3, 5, 10]), "set_lock_timeout"
        return "SET statement_timeout = '%dmin';" % rng.choice([1, 5, 15]), "set_statement_timeout"

    def enum_stuff(self):
        rng, s = self.rng, self.s
        if s.enums and rng.random() < 0.6:
            name = rng.choice(sorted(s.enums))
            v = "state_%d" % s.next_id()
            s.enums[name].append(v)
            ine = "IF NOT EXISTS " if rng.random() < 0.5 else ""
            return "ALTER TYPE %s ADD VALUE %s'%s';" % (name, ine, v), "enum_%s_%s" % (name, v)
        name = "%s_kind" % rng.choice(["payment", "ticket", "shipment", "plan", "event", "doc"])
        if name in s.enums:
            name += "_%d" % s.next_id()
        vals = rng.sample(["a", "b", "standard", "premium", "trial", "legacy", "internal"], 3)
        s.enums[name] = vals
        return ("CREATE TYPE %s AS ENUM (%s);" % (name, ", ".join("'%s'" % v for v in vals)),
                "type_" + name)

    def drop_table(self):
        rng, s = self.rng, self.s
        if len(s.table_order) < 30:
            return self.create_table()
        # prefer archive tables and old ones
        archived = [t for t in s.table_order if t.endswith("_archive")]
        t = rng.choice(archived) if archived else rng.choice(s.table_order[:20])
        s.drop_table(t)
        s.views = [v for v in s.views if not v.startswith("v_%s_" % t)]
        return "DROP TABLE %s%s;" % ("IF EXISTS " if rng.random() < 0.5 else "", t), "drop_" + t

    def misc(self):
        rng, s = self.rng, self.s
        t = s.pick_table()
        return rng.choice([
            ("CREATE EXTENSION IF NOT EXISTS %s;" % rng.choice(["pgcrypto", "citext", "pg_trgm", "btree_gin"]),
             "extension"),
            ("ANALYZE %s;" % t, "analyze_" + t),
            ("GRANT SELECT ON %s TO readonly;" % t, "grant_" + t),
            ("ALTER TABLE %s SET (autovacuum_vacuum_scale_factor = 0.05);" % t, "autovacuum_" + t),
            ("CREATE SEQUENCE IF NOT EXISTS %s_number_seq START 1000;" % t, "sequence_" + t),
            ("DELETE FROM %s WHERE created_at < now() - interval '2 years';" % t, "purge_" + t),
        ])

    WEIGHTS = [
        ("create_table", 3.5), ("add_column", 18), ("create_index", 12), ("alter_type", 4),
        ("set_not_null", 3), ("set_default", 2), ("add_fk", 4), ("validate", 3), ("add_unique", 1),
        ("drop_column", 3), ("rename", 3), ("create_view", 3), ("drop_view", 1),
        ("update_backfill", 6), ("insert_seed", 6), ("comment", 6), ("do_block", 3),
        ("create_function", 3), ("create_trigger", 1), ("concurrently_unparsed", 2),
        ("drop_index", 1), ("lock_timeout", 3), ("enum_stuff", 2), ("drop_table", 0.5),
        ("misc", 2),
    ]

    def statement(self, early=False):
        rng = self.rng
        if len(self.s.table_order) < 3:
            return self.create_table()
        names = [w[0] for w in self.WEIGHTS]
        weights = [w[1] for w in self.WEIGHTS]
        if early:
            # the first migrations of a project mostly create its tables
            weights = [w * 15 if n == "create_table" else w for n, w in self.WEIGHTS]
        kind = rng.choices(names, weights)[0]
        return getattr(self, kind)()


def statement_counts(rng, files, total):
    counts = [rng.randint(3, 17) for _ in range(files)]
    while sum(counts) > total:
        i = rng.randrange(files)
        if counts[i] > 1:
            counts[i] -= 1
    while sum(counts) < total:
        counts[rng.randrange(files)] += 1
    return counts


def gen_corpus(out_dir, rng):
    d = os.path.join(out_dir, "corpus-1000")
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    g = CorpusGen(rng)
    counts = statement_counts(rng, CORPUS_FILES, CORPUS_STATEMENTS)
    total_bytes = 0
    n_statements = 0
    for i, n in enumerate(counts, start=1):
        parts = []
        first_name = None
        for _ in range(n):
            sql, name = g.statement(early=i <= 40)
            if first_name is None:
                first_name = name
            if rng.random() < 0.12:
                parts.append("-- %s" % rng.choice([
                    "backfill in the same deploy; see the runbook",
                    "keep this in sync with the application model",
                    "safe: the table is small (< 10k rows)",
                    "needed by the reporting job",
                    "TODO: drop the old column after the next release",
                ]))
            parts.append(sql)
            n_statements += 1
        slug = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in first_name.lower())[:60]
        header = "-- Migration %06d: %s\n-- generated by bench/gen_corpus.py\n\n" % (i, slug.replace("_", " "))
        body = header + "\n\n".join(parts) + "\n"
        path = os.path.join(d, "%06d_%s.sql" % (i, slug))
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(body)
        total_bytes += len(body.encode("utf-8"))
    return {"dir": "corpus-1000", "files": CORPUS_FILES, "statements": n_statements, "bytes": total_bytes,
            "tables_at_end": len(g.s.table_order)}


def gen_findings(out_dir, rng):
    """One file, 10,000 statements, about two tollgate findings per statement.

    tollgate exempts objects created earlier in the same migration, so every statement touches
    tables that the file does not create. A few CREATE TABLEs (no findings) open the file.
    """
    path = os.path.join(out_dir, "findings-10k.sql")
    lines = ["-- generated by bench/gen_corpus.py: ~2 tollgate findings per statement", ""]
    n = 0
    for i in range(4):
        lines.append("CREATE TABLE scratch_%d (id bigserial PRIMARY KEY, note text);" % i)
        n += 1
    # (weight, findings tollgate reports, template); the weights average two findings a statement
    templates = [
        (5, 2, "ALTER TABLE t_{m} DROP COLUMN c_{n}, ALTER COLUMN d_{n} TYPE varchar(10);"),
        (2, 2, "ALTER TABLE accounts_{m} ADD COLUMN x_{n} integer NOT NULL, "
               "ALTER COLUMN y_{n} SET NOT NULL;"),
        (1, 2, "ALTER TABLE events_{m} DROP COLUMN p_{n}, DROP COLUMN q_{n};"),
        (1, 2, "ALTER TABLE items_{m} ADD CONSTRAINT fk_{n} FOREIGN KEY (owner_id) "
               "REFERENCES owners (id), ADD CONSTRAINT uq_{n} UNIQUE (code_{n});"),
        (4, 3, "ALTER TABLE ledger_{m} DROP COLUMN a_{n}, DROP COLUMN b_{n}, "
               "ALTER COLUMN amount_{n} TYPE integer;"),
        (1, 1, "ALTER TABLE users_{m} RENAME COLUMN a_{n} TO b_{n};"),
        (1, 1, "CREATE INDEX idx_{n} ON orders_{m} (customer_id, created_at);"),
        (1, 1, "UPDATE payments_{m} SET status = 'settled' WHERE id = {n};"),
        (1, 1, "DROP INDEX idx_old_{n};"),
    ]
    templates = [(w, t) for w, _, t in templates]
    weights = [w for w, _ in templates]
    total = FINDINGS_STATEMENTS
    while n < total:
        _, tpl = rng.choices(templates, weights)[0]
        lines.append(tpl.format(n=n, m=n % 50))
        n += 1
    body = "\n".join(lines) + "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(body)
    return {"path": "findings-10k.sql", "statements": n, "bytes": len(body.encode("utf-8"))}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    summary = {
        "seed": args.seed,
        "corpus": gen_corpus(args.out_dir, random.Random(args.seed)),
        "findings": gen_findings(args.out_dir, random.Random(args.seed + 1)),
    }
    with open(os.path.join(args.out_dir, "corpus-summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    json.dump(summary, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
