#!/usr/bin/env python3
"""Generate a golang-migrate history of N migrations with exact downs (python3 standard library
only), for the `tollgate verify` benchmark.

    python3 bench/gen_migrations.py N OUT_DIR [--seed S]

writes OUT_DIR/000001_<name>.up.sql + 000001_<name>.down.sql … (OUT_DIR is emptied of .sql files
first) and prints a JSON summary on stdout. Deterministic for a given seed (default 20240611).

The history is what a product's migrations look like after a few years: tables of 5–12 columns
(serial or identity keys, text, varchar(n), numeric, integer, boolean, jsonb, timestamptz
DEFAULT now(), enum types), foreign keys to earlier tables, b-tree, partial, expression, unique
and GIN indexes (some CREATE INDEX CONCURRENTLY), added columns with backfills, SET NOT NULL after
a backfill, CHECK constraints (some NOT VALID + VALIDATE), defaults, column renames, varchar
widening, views and materialized views, plpgsql trigger functions and triggers (updated_at,
audit log), SQL functions, comments, seed rows, dropped indexes and views.

Every down exactly reverses its up, so that up → down → up leaves the catalog as it was:
what the up creates is dropped in reverse order, what it changes is set back to the value it
had. A CREATE/DROP INDEX CONCURRENTLY is the only statement of its file: golang-migrate sends a
file as one query, which PostgreSQL runs outside a transaction block only when it holds a single
statement (tollgate models golang-migrate the same way).
"""

import argparse
import json
import os
import random
import sys

DEFAULT_SEED = 20240611

ENTITIES = [
    "customers", "accounts", "products", "orders", "order_items", "invoices", "payments",
    "shipments", "addresses", "categories", "tags", "reviews", "suppliers", "warehouses",
    "stock_levels", "coupons", "carts", "cart_items", "subscriptions", "plans", "teams",
    "memberships", "projects", "tasks", "comments", "attachments", "notifications", "tickets",
    "refunds", "price_lists", "documents", "contacts", "api_keys", "webhooks", "jobs", "events",
    "campaigns", "leads", "vendors", "contracts", "employees", "departments", "timesheets",
    "devices", "locations", "bookings", "rooms", "menus", "recipes", "courses", "lessons",
]
MODULES = ["", "billing", "crm", "catalog", "shipping", "support", "hr", "cms", "ops"]

TEXT_COLS = ["name", "title", "description", "notes", "email", "slug", "code", "reference",
             "label", "summary", "source", "external_ref", "city", "country", "headline"]
NUM_COLS = ["amount", "price", "total", "balance", "weight", "score", "discount", "tax_rate",
            "cost", "budget"]
INT_COLS = ["quantity", "position", "attempts", "rank", "priority", "version", "capacity",
            "duration_minutes"]
BOOL_COLS = ["is_active", "archived", "verified", "is_public", "enabled", "is_default",
             "paid", "locked"]
JSON_COLS = ["metadata", "settings", "attributes", "payload", "preferences", "extra"]
TS_COLS = ["deleted_at", "published_at", "expires_at", "approved_at", "last_seen_at",
           "starts_at", "ends_at", "closed_at"]
ENUM_LABELS = [
    ["draft", "active", "suspended", "closed"],
    ["pending", "processing", "done", "failed"],
    ["new", "open", "resolved"],
    ["low", "normal", "high", "urgent"],
    ["trial", "paying", "churned"],
    ["queued", "running", "succeeded", "cancelled", "errored"],
]
SHARED_ENUMS = ["priority_level", "visibility", "approval_state", "channel_kind", "region_code"]
RENAMES = {"name": "full_name", "title": "display_title", "notes": "internal_notes",
           "code": "short_code", "label": "display_label", "summary": "abstract",
           "amount": "amount_value", "price": "unit_price", "quantity": "qty", "rank": "sort_rank",
           "score": "rating", "city": "town", "source": "origin", "headline": "tagline"}


class Col:
    def __init__(self, name, typ, kind, not_null=False, default=None, labels=None, n=None,
                 original=False):
        self.name = name
        self.typ = typ            # SQL type as written
        self.kind = kind          # pk fk text varchar numeric int bool jsonb ts enum
        self.not_null = not_null
        self.default = default    # SQL expression or None
        self.labels = labels      # enum labels
        self.n = n                # varchar length
        self.original = original  # created with the table
        self.pinned = 0           # referenced by a view or a function body by name
        self.unique = False       # a unique index or constraint covers it
        self.const_fill = default is not None  # rows may hold one repeated value
        self.comment = None
        self.has_check = False
        self.ref = None           # the table a foreign key column points to


class Index:
    def __init__(self, name, table, cols, unique=False, method=None, where=None, expr=None):
        self.name = name
        self.table = table
        self.cols = cols          # Col objects (names rendered at use: columns may be renamed)
        self.unique = unique
        self.method = method
        self.where = where        # (Col, template with {c})
        self.expr = expr          # template with {c} for a single-column expression index

    def sql(self, concurrently=False):
        if self.expr:
            body = "(%s)" % (self.expr.format(c=self.cols[0].name))
        else:
            body = "(%s)" % ", ".join(c.name for c in self.cols)
        s = "CREATE %sINDEX %s%s ON %s%s %s" % (
            "UNIQUE " if self.unique else "", "CONCURRENTLY " if concurrently else "",
            self.name, self.table.name, " USING " + self.method if self.method else "", body)
        if self.where:
            s += " WHERE " + self.where[1].format(c=self.where[0].name)
        return s


class Table:
    def __init__(self, name):
        self.name = name
        self.cols = []
        self.indexes = []
        self.checks = 0
        self.touch_trigger = False
        self.audit_trigger = False
        self.comment = None
        self.seed_batches = 0
        self.pk_type = "integer"
        self.fk_not_null = False
        self.internal = False

    def col(self, name):
        for c in self.cols:
            if c.name == name:
                return c
        return None

    def of_kind(self, *kinds):
        return [c for c in self.cols if c.kind in kinds]


class View:
    def __init__(self, name, sql, cols, materialized=False):
        self.name = name
        self.sql = sql
        self.cols = cols
        self.materialized = materialized


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.tables = []
        self.views = []
        self.names = set()        # relation, type and function names in use (schema public)
        self.shared_enums = []    # (name, labels)
        self.audit = False
        self.seed_batch = 0
        self.kinds = {}

    # --- helpers ---------------------------------------------------------------------------
    def fresh(self, base):
        name, i = base[:60], 2
        while name in self.names:
            name = "%s_%d" % (base[:56], i)
            i += 1
        self.names.add(name)
        return name

    def fresh_col(self, t, base):
        name, i = base, 2
        while t.col(name):
            name = "%s_%d" % (base, i)
            i += 1
        return name

    def user_tables(self):
        return [t for t in self.tables if not t.internal]

    def pick_table(self, pred=lambda t: True):
        cands = [t for t in self.user_tables() if pred(t)]
        if not cands:
            return None
        # Recent tables are touched more often, as in real histories.
        weights = [1 + i for i in range(len(cands))]
        return self.r.choices(cands, weights=weights)[0]

    def lock_timeout(self):
        return ["SET lock_timeout = '5s'"] if self.r.random() < 0.3 else []

    def fill_value(self, c):
        """A constant that satisfies every CHECK this generator writes."""
        return {
            "text": "'unknown'", "varchar": "'unknown'", "numeric": "0", "int": "0",
            "bool": "false", "jsonb": "'{}'::jsonb", "ts": "now()",
            "enum": "'%s'" % (c.labels[0] if c.labels else ""),
        }[c.kind]

    def new_column(self, t, kind=None, original=False):
        r = self.r
        kind = kind or r.choice(["text", "text", "varchar", "numeric", "int", "bool", "jsonb",
                                 "ts", "enum"])
        if kind == "enum" and not self.shared_enums:
            kind = "text"
        if kind == "text":
            c = Col(self.fresh_col(t, r.choice(TEXT_COLS)), "text", "text")
        elif kind == "varchar":
            n = r.choice([32, 64, 120, 255])
            c = Col(self.fresh_col(t, r.choice(TEXT_COLS)), "varchar(%d)" % n, "varchar", n=n)
        elif kind == "numeric":
            c = Col(self.fresh_col(t, r.choice(NUM_COLS)), r.choice(["numeric(12,2)",
                    "numeric(14,4)", "numeric"]), "numeric")
        elif kind == "int":
            c = Col(self.fresh_col(t, r.choice(INT_COLS)), r.choice(["integer", "smallint",
                    "bigint"]), "int")
        elif kind == "bool":
            c = Col(self.fresh_col(t, r.choice(BOOL_COLS)), "boolean", "bool")
        elif kind == "jsonb":
            c = Col(self.fresh_col(t, r.choice(JSON_COLS)), "jsonb", "jsonb")
        elif kind == "ts":
            c = Col(self.fresh_col(t, r.choice(TS_COLS)), "timestamptz", "ts")
        else:  # shared enum
            ename, labels = r.choice(self.shared_enums)
            c = Col(self.fresh_col(t, ename), ename, "enum", labels=labels)
        c.original = original
        # NOT NULL only with a default (a table may hold rows); some defaults on nullable ones.
        x = r.random()
        if c.kind == "bool" and x < 0.8:
            c.not_null, c.default = True, r.choice(["false", "true"])
        elif c.kind == "jsonb" and x < 0.7:
            c.not_null, c.default = True, "'{}'::jsonb"
        elif c.kind in ("int", "numeric") and x < 0.4:
            c.not_null, c.default = True, "0"
        elif c.kind == "enum" and x < 0.6:
            c.not_null, c.default = True, "'%s'" % c.labels[0]
        elif c.kind == "varchar" and x < 0.15:
            c.default = "'n/a'"
        c.const_fill = c.default is not None
        return c

    def col_def(self, c):
        s = "%s %s" % (c.name, c.typ)
        if c.not_null:
            s += " NOT NULL"
        if c.default is not None:
            s += " DEFAULT " + c.default
        return s

    # --- migration kinds: each returns (slug, up statements, down statements) or None --------
    def create_enum(self):
        left = [e for e in SHARED_ENUMS if e not in self.names]
        if not left:
            return None
        name = left[0]
        self.names.add(name)
        labels = self.r.choice(ENUM_LABELS)
        self.shared_enums.append((name, labels))
        up = ["CREATE TYPE %s AS ENUM (%s)" % (name, ", ".join("'%s'" % l for l in labels))]
        return "create_type_" + name, up, ["DROP TYPE %s" % name]

    def create_table(self):
        r = self.r
        mod = r.choice(MODULES)
        ent = r.choice(ENTITIES)
        t = Table(self.fresh(("%s_%s" % (mod, ent)) if mod else ent))
        up, down, extra = [], [], []
        # primary key
        style = r.random()
        if style < 0.45:
            pk = Col("id", "serial", "pk")
            t.pk_type = "integer"
            pk_sql = "id serial PRIMARY KEY"
            self.names.add(t.name + "_id_seq")
        elif style < 0.8:
            pk = Col("id", "bigint", "pk")
            t.pk_type = "bigint"
            pk_sql = "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
            self.names.add(t.name + "_id_seq")
        else:
            pk = Col("id", "bigint", "pk")
            t.pk_type = "bigint"
            pk_sql = "id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
            self.names.add(t.name + "_id_seq")
        self.names.add(t.name + "_pkey")
        t.cols.append(pk)
        defs = [pk_sql]
        # own enum type
        own_enum = None
        if r.random() < 0.35:
            own_enum = self.fresh(t.name + "_status")
            labels = r.choice(ENUM_LABELS)
            up.append("CREATE TYPE %s AS ENUM (%s)" % (own_enum, ", ".join("'%s'" % l for l in labels)))
            c = Col("status", own_enum, "enum", not_null=True, default="'%s'" % labels[0],
                    labels=labels, original=True)
            t.cols.append(c)
            defs.append(self.col_def(c))
        # foreign keys to earlier tables
        parents = self.user_tables()
        fks = []
        if parents and r.random() < 0.65:
            for p in r.sample(parents, min(len(parents), r.choice([1, 1, 2]))):
                name = self.fresh_col(t, singular(p.name) + "_id")
                nn = r.random() < 0.4
                c = Col(name, p.pk_type, "fk", not_null=nn, original=True)
                c.ref = p
                t.fk_not_null |= nn
                t.cols.append(c)
                fks.append((c, p))
                action = r.choice(["", "", " ON DELETE CASCADE", " ON DELETE SET NULL"]) if not nn \
                    else r.choice(["", " ON DELETE CASCADE"])
                defs.append("%s REFERENCES %s (id)%s" % (self.col_def(c), p.name, action))
        # ordinary columns: 5–12 columns in all
        total = r.randint(5, 12)
        has_updated = r.random() < 0.7
        fixed = 1 + (1 if has_updated else 0)  # created_at (+ updated_at)
        first_text = True
        while len(t.cols) + fixed < total:
            if first_text:
                c = self.new_column(t, r.choice(["text", "varchar"]), original=True)
                c.not_null = c.default is None and r.random() < 0.6
                first_text = False
            else:
                c = self.new_column(t, original=True)
            t.cols.append(c)
            defs.append(self.col_def(c))
        for name in ["created_at"] + (["updated_at"] if has_updated else []):
            c = Col(name, "timestamptz", "ts", not_null=True, default="now()", original=True)
            t.cols.append(c)
            defs.append(self.col_def(c))
        # a table-level constraint now and then
        texts = [c for c in t.cols if c.kind in ("text", "varchar") and c.default is None]
        if texts and r.random() < 0.3:
            c = texts[0]
            cname = self.fresh("%s_%s_key" % (t.name, c.name))
            defs.append("CONSTRAINT %s UNIQUE (%s)" % (cname, c.name))
            c.unique = True
        nums = t.of_kind("numeric")
        if nums and r.random() < 0.4:
            c = nums[0]
            cname = self.fresh("%s_%s_check" % (t.name, c.name))
            defs.append("CONSTRAINT %s CHECK (%s >= 0)" % (cname, c.name))
            c.has_check = True
            t.checks += 1
        up.append("CREATE TABLE %s (\n    %s\n)" % (t.name, ",\n    ".join(defs)))
        for c, p in fks:
            idx = Index(self.fresh("%s_%s_idx" % (t.name, c.name)), t, [c])
            t.indexes.append(idx)
            extra.append(idx.sql())
        up.extend(extra)
        self.tables.append(t)
        if not t.fk_not_null and r.random() < 0.2:
            seeded = self.seed_rows(t, r.choice([100, 250, 500, 1000]))
            if seeded:
                up.extend(seeded[0])
        if r.random() < 0.25:
            t.comment = "%s of the %s module" % (t.name.replace("_", " "), mod or "core")
            up.append("COMMENT ON TABLE %s IS '%s'" % (t.name, t.comment))
        down.append("DROP TABLE %s" % t.name)
        if own_enum:
            down.append("DROP TYPE %s" % own_enum)
        return "create_" + t.name, up, down

    def seed_rows(self, t, n):
        """INSERT n rows into t, and the DELETE that removes exactly them."""
        self.seed_batch += 1
        b = self.seed_batch
        t.seed_batches += 1
        cols, vals = [], []
        key = None
        for c in t.cols:
            if c.kind == "pk" or (c.kind == "fk" and not c.not_null):
                continue
            if c.kind in ("text", "varchar"):
                v = "'s%d-' || g" % b
                if key is None:
                    key = c
            elif c.kind == "numeric":
                v = "(g %% 1000) / 10.0"
            elif c.kind == "int":
                v = "g %% 100"
            elif c.kind == "bool":
                v = "g %% 2 = 0"
            elif c.kind == "jsonb":
                v = "jsonb_build_object('batch', %d, 'n', g)" % b
            elif c.kind == "ts":
                v = "now() - g * interval '1 minute'"
            elif c.kind == "enum":
                v = "'%s'" % c.labels[g_index(b, len(c.labels))]
            else:
                return None
            cols.append(c.name)
            vals.append(v.replace("%%", "%"))
        if key is None:
            return None
        up = ["INSERT INTO %s (%s)\nSELECT %s\nFROM generate_series(1, %d) AS g" % (
            t.name, ", ".join(cols), ",\n       ".join(vals), n)]
        down = ["DELETE FROM %s WHERE %s LIKE 's%d-%%'" % (t.name, key.name, b)]
        return up, down

    def seed(self):
        t = self.pick_table(lambda t: not t.fk_not_null
                            and any(c.kind in ("text", "varchar") for c in t.cols))
        if not t:
            return None
        got = self.seed_rows(t, self.r.choice([200, 500, 1000, 2000]))
        if not got:
            return None
        return "seed_" + t.name, got[0], got[1]

    def add_columns(self):
        t = self.pick_table()
        if not t:
            return None
        r = self.r
        up, down, added = self.lock_timeout(), [], []
        for _ in range(r.choice([1, 1, 2, 3])):
            c = self.new_column(t)
            t.cols.append(c)
            added.append(c)
            up.append("ALTER TABLE %s ADD COLUMN %s" % (t.name, self.col_def(c)))
        # a backfill of a nullable text column from an existing one
        src = [c for c in t.cols if c.kind in ("text", "varchar") and c not in added]
        tgt = [c for c in added if c.kind == "text" and not c.not_null]
        if src and tgt and r.random() < 0.6:
            up.append("UPDATE %s SET %s = lower(%s) WHERE %s IS NOT NULL" % (
                t.name, tgt[0].name, src[0].name, src[0].name))
        for c in reversed(added):
            down.append("ALTER TABLE %s DROP COLUMN %s" % (t.name, c.name))
        return "add_%s_to_%s" % (added[0].name, t.name), up, down

    def add_fk(self):
        t = self.pick_table()
        if not t:
            return None
        parents = [p for p in self.user_tables() if p is not t]
        if not parents:
            return None
        p = self.r.choice(parents)
        c = Col(self.fresh_col(t, singular(p.name) + "_id"), p.pk_type, "fk")
        c.ref = p
        t.cols.append(c)
        fk = self.fresh("%s_%s_fkey" % (t.name, c.name))
        idx = Index(self.fresh("%s_%s_idx" % (t.name, c.name)), t, [c])
        t.indexes.append(idx)
        up = self.lock_timeout() + [
            "ALTER TABLE %s ADD COLUMN %s %s" % (t.name, c.name, c.typ),
            "ALTER TABLE %s ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (id) NOT VALID" % (
                t.name, fk, c.name, p.name),
            "ALTER TABLE %s VALIDATE CONSTRAINT %s" % (t.name, fk),
            idx.sql(),
        ]
        down = [
            "DROP INDEX %s" % idx.name,
            "ALTER TABLE %s DROP CONSTRAINT %s" % (t.name, fk),
            "ALTER TABLE %s DROP COLUMN %s" % (t.name, c.name),
        ]
        return "add_%s_to_%s" % (c.name, t.name), up, down

    def make_index(self, t):
        r = self.r
        x = r.random()
        jsons = t.of_kind("jsonb")
        uniq = [c for c in t.cols if c.kind in ("text", "varchar") and c.original
                and not c.const_fill and not c.unique]
        plain = [c for c in t.cols if c.kind in ("text", "varchar", "numeric", "int", "ts", "enum")]
        if x < 0.12 and jsons:
            c = r.choice(jsons)
            return Index(self.fresh("%s_%s_gin" % (t.name, c.name)), t, [c], method="gin")
        if x < 0.25 and uniq:
            c = r.choice(uniq)
            c.unique = True
            return Index(self.fresh("%s_%s_uniq" % (t.name, c.name)), t, [c], unique=True)
        if x < 0.35:
            texts = [c for c in plain if c.kind in ("text", "varchar")]
            if texts:
                c = r.choice(texts)
                return Index(self.fresh("%s_lower_%s_idx" % (t.name, c.name)), t, [c],
                             expr="lower({c})")
        if not plain:
            return None
        c = r.choice(plain)
        cols = [c]
        if r.random() < 0.3:
            ts = t.col("created_at")
            if ts and ts is not c:
                cols.append(ts)
        where = None
        flags = t.of_kind("bool")
        deleted = t.col("deleted_at")
        if r.random() < 0.25:
            if deleted and deleted not in cols:
                where = (deleted, "{c} IS NULL")
            elif flags:
                where = (r.choice(flags), "{c}")
        name = self.fresh("%s_%s_idx" % (t.name, "_".join(k.name for k in cols)))
        return Index(name, t, cols, where=where)

    def create_index(self):
        t = self.pick_table()
        idx = t and self.make_index(t)
        if not idx:
            return None
        t.indexes.append(idx)
        return "index_" + idx.name, self.lock_timeout() + [idx.sql()], ["DROP INDEX %s" % idx.name]

    def create_index_concurrently(self):
        t = self.pick_table()
        idx = t and self.make_index(t)
        if not idx:
            return None
        t.indexes.append(idx)
        # The only statement of the file: runs outside a transaction block.
        return ("index_" + idx.name, [idx.sql(concurrently=True)],
                ["DROP INDEX CONCURRENTLY IF EXISTS %s" % idx.name])

    def drop_index(self):
        t = self.pick_table(lambda t: any(not i.unique for i in t.indexes))
        if not t:
            return None
        idx = self.r.choice([i for i in t.indexes if not i.unique])
        t.indexes.remove(idx)
        self.names.discard(idx.name)
        return "drop_" + idx.name, ["DROP INDEX %s" % idx.name], [idx.sql()]

    def add_check(self):
        r = self.r
        t = self.pick_table(lambda t: any(
            c.kind in ("numeric", "int", "text") and not c.has_check for c in t.cols)
            or (t.col("updated_at") and not t.col("updated_at").has_check))
        if not t:
            return None
        cands = [c for c in t.cols if c.kind in ("numeric", "int", "text") and not c.has_check]
        upd = t.col("updated_at")
        if upd and not upd.has_check and (not cands or r.random() < 0.2):
            c, expr = upd, "updated_at >= created_at"
        else:
            c = r.choice(cands)
            if c.kind == "text":
                expr = r.choice(["char_length(%s) <= 2000" % c.name, "%s <> ''" % c.name])
            else:
                expr = "%s >= 0" % c.name
        c.has_check = True
        t.checks += 1
        name = self.fresh("%s_%s_check" % (t.name, c.name))
        up = self.lock_timeout()
        if r.random() < 0.4:
            up += ["ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s) NOT VALID" % (t.name, name, expr),
                   "ALTER TABLE %s VALIDATE CONSTRAINT %s" % (t.name, name)]
        else:
            up += ["ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s)" % (t.name, name, expr)]
        return "check_" + name, up, ["ALTER TABLE %s DROP CONSTRAINT %s" % (t.name, name)]

    def set_not_null(self):
        ok = lambda c: (not c.not_null and not c.unique
                        and c.kind in ("text", "varchar", "numeric", "int", "bool", "ts", "enum"))
        t = self.pick_table(lambda t: any(ok(c) for c in t.cols))
        if not t:
            return None
        c = self.r.choice([c for c in t.cols if ok(c)])
        c.not_null = True
        c.const_fill = True
        up = ["UPDATE %s SET %s = %s WHERE %s IS NULL" % (t.name, c.name, self.fill_value(c), c.name),
              "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL" % (t.name, c.name)]
        return ("require_%s_%s" % (t.name, c.name), self.lock_timeout() + up,
                ["ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL" % (t.name, c.name)])

    def set_default(self):
        ok = lambda c: c.kind in ("numeric", "int", "bool", "jsonb", "text", "varchar") and not c.unique
        t = self.pick_table(lambda t: any(ok(c) for c in t.cols))
        if not t:
            return None
        c = self.r.choice([c for c in t.cols if ok(c)])
        new = {"numeric": "1", "int": "1", "bool": "true", "jsonb": "'{\"v\": 1}'::jsonb",
               "text": "'pending'", "varchar": "'pending'"}[c.kind]
        if c.default == new:
            new = {"numeric": "0", "int": "0", "bool": "false", "jsonb": "'{}'::jsonb",
                   "text": "'unknown'", "varchar": "'unknown'"}[c.kind]
        old = c.default
        c.default = new
        c.const_fill = True
        up = ["ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s" % (t.name, c.name, new)]
        down = ["ALTER TABLE %s ALTER COLUMN %s %s" % (
            t.name, c.name, "DROP DEFAULT" if old is None else "SET DEFAULT " + old)]
        return "default_%s_%s" % (t.name, c.name), up, down

    def rename_column(self):
        ok = lambda t, c: (c.name in RENAMES and not c.pinned and not t.col(RENAMES[c.name]))
        t = self.pick_table(lambda t: any(ok(t, c) for c in t.cols))
        if not t:
            return None
        c = self.r.choice([c for c in t.cols if ok(t, c)])
        old, new = c.name, RENAMES[c.name]
        c.name = new
        return ("rename_%s_%s" % (t.name, old),
                ["ALTER TABLE %s RENAME COLUMN %s TO %s" % (t.name, old, new)],
                ["ALTER TABLE %s RENAME COLUMN %s TO %s" % (t.name, new, old)])

    def widen_varchar(self):
        ok = lambda c: c.kind == "varchar" and not c.pinned and c.n < 1000
        t = self.pick_table(lambda t: any(ok(c) for c in t.cols))
        if not t:
            return None
        c = self.r.choice([c for c in t.cols if ok(c)])
        old = c.n
        c.n = old * 2
        c.typ = "varchar(%d)" % c.n
        return ("widen_%s_%s" % (t.name, c.name),
                self.lock_timeout() + ["ALTER TABLE %s ALTER COLUMN %s TYPE varchar(%d)" % (t.name, c.name, c.n)],
                ["ALTER TABLE %s ALTER COLUMN %s TYPE varchar(%d)" % (t.name, c.name, old)])

    def create_view(self):
        r = self.r
        t = self.pick_table(lambda t: len([c for c in t.cols if c.kind != "pk"]) >= 3)
        if not t:
            return None
        body = [c for c in t.cols if c.kind not in ("pk",)]
        chosen = r.sample(body, min(len(body), r.randint(2, 5)))
        pinned = list(chosen)
        sel = ["t.id"] + ["t.%s" % c.name for c in chosen]
        frm = "%s t" % t.name
        fks = [c for c in t.cols if c.kind == "fk"]
        if fks and r.random() < 0.5:
            fk = r.choice(fks)
            parent = fk.ref
            ptext = parent and [c for c in parent.cols if c.kind in ("text", "varchar")]
            if parent and ptext:
                pc = ptext[0]
                sel.append("p.%s AS %s_%s" % (pc.name, parent.name, pc.name))
                frm += " JOIN %s p ON p.id = t.%s" % (parent.name, fk.name)
                if fk not in pinned:
                    pinned.append(fk)
                pinned.append(pc)
        where = ""
        flags = t.of_kind("bool")
        if flags and r.random() < 0.5:
            f = r.choice(flags)
            where = "\nWHERE t.%s" % f.name
            pinned.append(f)
        name = self.fresh("%s_%s" % (t.name, r.choice(["overview", "active", "report", "summary", "export"])))
        sql = "CREATE VIEW %s AS\nSELECT %s\nFROM %s%s" % (name, ", ".join(sel), frm, where)
        for c in pinned:
            c.pinned += 1
        self.views.append(View(name, sql, pinned))
        return "view_" + name, [sql], ["DROP VIEW %s" % name]

    def create_matview(self):
        t = self.pick_table(lambda t: t.of_kind("bool") and t.of_kind("numeric", "int"))
        if not t:
            return None
        f = self.r.choice(t.of_kind("bool"))
        n = self.r.choice(t.of_kind("numeric", "int"))
        name = self.fresh("%s_stats" % t.name)
        idx = self.fresh("%s_key" % name)
        sql = ("CREATE MATERIALIZED VIEW %s AS\nSELECT %s, count(*) AS row_count, sum(%s) AS total\n"
               "FROM %s\nGROUP BY %s" % (name, f.name, n.name, t.name, f.name))
        for c in (f, n):
            c.pinned += 1
        self.views.append(View(name, sql, [f, n], materialized=True))
        return ("matview_" + name,
                [sql, "CREATE UNIQUE INDEX %s ON %s (%s)" % (idx, name, f.name)],
                ["DROP INDEX %s" % idx, "DROP MATERIALIZED VIEW %s" % name])

    def drop_view(self):
        plain = [v for v in self.views if not v.materialized]
        if len(plain) < 3:
            return None
        v = self.r.choice(plain[:-2])
        self.views.remove(v)
        self.names.discard(v.name)
        for c in v.cols:
            c.pinned -= 1
        return "drop_" + v.name, ["DROP VIEW %s" % v.name], [v.sql]

    def touch_trigger(self):
        t = self.pick_table(lambda t: t.col("updated_at") and not t.touch_trigger)
        if not t:
            return None
        t.touch_trigger = True
        t.col("updated_at").pinned += 1
        fn = self.fresh("%s_set_updated_at" % t.name)
        trg = "%s_touch" % t.name
        create = self.r.choice(["CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"])
        up = ["%s %s() RETURNS trigger\nLANGUAGE plpgsql AS $$\nBEGIN\n"
              "    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$" % (create, fn),
              "CREATE TRIGGER %s BEFORE UPDATE ON %s\nFOR EACH ROW EXECUTE FUNCTION %s()" % (
                  trg, t.name, fn)]
        down = ["DROP TRIGGER %s ON %s" % (trg, t.name), "DROP FUNCTION %s()" % fn]
        return "touch_" + t.name, up, down

    def audit_setup(self):
        self.audit = True
        t = Table(self.fresh("audit_log"))
        t.internal = True
        self.names.update(["audit_log_id_seq", "audit_log_pkey", "audit_row"])
        self.tables.append(t)
        idx = self.fresh("audit_log_table_name_at_idx")
        up = [
            "CREATE TABLE audit_log (\n    id bigserial PRIMARY KEY,\n    table_name text NOT NULL,\n"
            "    op varchar(8) NOT NULL,\n    row_data jsonb,\n    at timestamptz NOT NULL DEFAULT now()\n)",
            "CREATE INDEX %s ON audit_log (table_name, at)" % idx,
            "CREATE FUNCTION audit_row() RETURNS trigger\nLANGUAGE plpgsql AS $$\nBEGIN\n"
            "    INSERT INTO audit_log (table_name, op, row_data)\n"
            "    VALUES (TG_TABLE_NAME, TG_OP,\n"
            "            CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END);\n"
            "    RETURN NULL;\nEND;\n$$",
        ]
        down = ["DROP FUNCTION audit_row()", "DROP TABLE audit_log"]
        return "create_audit_log", up, down

    def audit_trigger(self):
        if not self.audit:
            return self.audit_setup()
        t = self.pick_table(lambda t: not t.audit_trigger)
        if not t:
            return None
        t.audit_trigger = True
        trg = "%s_audit" % t.name
        up = ["CREATE TRIGGER %s AFTER INSERT OR UPDATE OR DELETE ON %s\n"
              "FOR EACH ROW EXECUTE FUNCTION audit_row()" % (trg, t.name)]
        return "audit_" + t.name, up, ["DROP TRIGGER %s ON %s" % (trg, t.name)]

    def sql_function(self):
        t = self.pick_table(lambda t: t.of_kind("bool"))
        if not t:
            return None
        f = self.r.choice(t.of_kind("bool"))
        f.pinned += 1
        fn = self.fresh("%s_count_%s" % (t.name, f.name))
        up = ["CREATE FUNCTION %s() RETURNS bigint\nLANGUAGE sql STABLE AS $$\n"
              "    SELECT count(*) FROM %s WHERE %s\n$$" % (fn, t.name, f.name)]
        return "function_" + fn, up, ["DROP FUNCTION %s()" % fn]

    def comments(self):
        r = self.r
        t = self.pick_table()
        if not t:
            return None
        up, down = [], []
        if r.random() < 0.5:
            old = t.comment
            t.comment = "Owned by the %s team." % r.choice(["billing", "growth", "platform", "ops"])
            up.append("COMMENT ON TABLE %s IS '%s'" % (t.name, t.comment))
            down.append("COMMENT ON TABLE %s IS %s" % (t.name, "NULL" if old is None else "'%s'" % old))
        cols = [c for c in t.cols if c.kind != "pk"]
        for c in r.sample(cols, min(len(cols), r.randint(1, 3))):
            old = c.comment
            c.comment = r.choice(["Shown to customers.", "Set by the nightly import.",
                                  "Personal data: keep out of exports.", "Deprecated, read %s instead." % t.cols[0].name,
                                  "In the account''s currency.", "UTC."])
            up.append("COMMENT ON COLUMN %s.%s IS '%s'" % (t.name, c.name, c.comment))
            down.append("COMMENT ON COLUMN %s.%s IS %s" % (t.name, c.name,
                                                          "NULL" if old is None else "'%s'" % old))
        down.reverse()
        return "comment_" + t.name, up, down

    # --- the history -------------------------------------------------------------------------
    KINDS = [
        ("create_table", 22), ("add_columns", 12), ("add_fk", 6), ("create_index", 9),
        ("create_index_concurrently", 4), ("add_check", 6), ("set_not_null", 5),
        ("set_default", 3), ("rename_column", 3), ("widen_varchar", 3), ("create_view", 5),
        ("create_matview", 1), ("drop_view", 1), ("touch_trigger", 4), ("audit_trigger", 3),
        ("sql_function", 2), ("comments", 4), ("seed", 3), ("drop_index", 2), ("create_enum", 2),
    ]

    def next(self, i):
        if i < 3:
            kind = ["create_enum", "create_table", "create_table"][i]
        elif i < 8:
            kind = "create_table"
        else:
            kinds, weights = zip(*self.KINDS)
            kind = self.r.choices(kinds, weights=weights)[0]
        got = getattr(self, kind)()
        if got is None:
            return self.next(i) if i >= 8 else self.create_table()
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        return got


def g_index(b, n):
    return b % n


def singular(table):
    """`billing_addresses` → `address`: the last word of a table name, singular."""
    word = [w for w in table.split("_") if not w.isdigit()][-1]
    for plural, one in (("ies", "y"), ("sses", "ss"), ("shes", "sh"), ("ches", "ch"), ("xes", "x"), ("s", "")):
        if word.endswith(plural) and len(word) > len(plural) + 1:
            return word[: -len(plural)] + one
    return word


def render(stmts, header):
    return "-- %s\n\n%s;\n" % (header, ";\n\n".join(stmts))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for f in os.listdir(args.out):
        if f.endswith(".sql"):
            os.remove(os.path.join(args.out, f))
    g = Gen(args.seed)
    ups = downs = up_bytes = down_bytes = 0
    for i in range(args.n):
        slug, up, down = g.next(i)
        slug = slug[:80]
        base = os.path.join(args.out, "%06d_%s" % (i + 1, slug))
        u = render(up, slug.replace("_", " "))
        d = render(down, "revert " + slug.replace("_", " "))
        with open(base + ".up.sql", "w") as f:
            f.write(u)
        with open(base + ".down.sql", "w") as f:
            f.write(d)
        ups += len(up)
        downs += len(down)
        up_bytes += len(u.encode())
        down_bytes += len(d.encode())
    summary = {
        "seed": args.seed, "migrations": args.n, "up_statements": ups, "down_statements": downs,
        "up_bytes": up_bytes, "down_bytes": down_bytes,
        "tables": len(g.user_tables()), "views": len(g.views),
        "kinds": dict(sorted(g.kinds.items())),
    }
    json.dump(summary, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
