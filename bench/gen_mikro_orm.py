#!/usr/bin/env python3
"""Generates N MikroORM migrations in the generator's styles (deterministic) for the extraction
benchmark: bench/gen_mikro_orm.py OUT_DIR [N]."""
import os
import random
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
rng = random.Random(20241124)
os.makedirs(os.path.join(out, "src", "migrations"), exist_ok=True)
for i in range(n):
    ts = 20240101000000 + i * 137
    table = f"t{i % 97}"
    ups, downs = [], []
    for j in range(rng.randint(3, 8)):
        col = f"c{i}_{j}"
        kind = rng.choice(["add", "index", "check", "comment"])
        if kind == "add":
            ups.append(f'alter table "{table}" add column "{col}" varchar(255) null;')
            downs.append(f'alter table "{table}" drop column "{col}";')
        elif kind == "index":
            ups.append(f'create index "{table}_{col}_index" on "{table}" ("id");')
            downs.append(f'drop index "{table}_{col}_index";')
        elif kind == "check":
            ups.append(f'alter table "{table}" add constraint "{table}_{col}_check" check("id" > 0) not valid;')
            downs.append(f'alter table "{table}" drop constraint "{table}_{col}_check";')
        else:
            ups.append(f"comment on table \"{table}\" is 'it''s table {i}';")
            downs.append(f"comment on table \"{table}\" is null;")
    modern = i % 2 == 0
    q = (lambda s: "`" + s.replace("\\", "\\\\").replace("`", "\\`") + "`") if modern else (lambda s: "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'")
    override = "override " if modern else ""
    body_up = "\n\n".join(f"    this.addSql({q(s)});" for s in ups)
    body_down = "\n\n".join(f"    this.addSql({q(s)});" for s in downs)
    text = f"""import {{ Migration }} from '@mikro-orm/migrations';

export class Migration{ts} extends Migration {{

  {override}async up(): Promise<void> {{
{body_up}
  }}

  {override}async down(): Promise<void> {{
{body_down}
  }}

}}
"""
    with open(os.path.join(out, "src", "migrations", f"Migration{ts}.ts"), "w") as f:
        f.write(text)
with open(os.path.join(out, "tollgate.toml"), "w") as f:
    f.write("")
