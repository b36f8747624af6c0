#!/usr/bin/env python3
"""Regenerates the rule table in README.md from each rule's META and policies/default.toml.

Run it after adding, renaming or re-levelling a rule: python3 scripts/rule_table.py
"""
import pathlib
import re
import tomllib

root = pathlib.Path(__file__).resolve().parent.parent
levels = tomllib.loads((root / "policies/default.toml").read_text())["rules"]
rows = []
for f in sorted((root / "crates/tollgate-core/src/rules").glob("*.rs")):
    text = f.read_text()
    m = re.search(r'pub const META: RuleMeta = RuleMeta \{\s*id: "([^"]+)",\s*class: ([^,]+),\s*summary:\s*"((?:[^"\\]|\\.)*)"', text)
    if not m:
        continue
    rid, cls, summary = m.group(1), m.group(2), m.group(3).replace('\\"', '"')
    cm = re.search(r"Class::(\w+)", cls)
    cls = cm.group(1).lower() if cm else "–"
    rows.append(f"| [`{rid}`](docs/rules/{rid}.md) | {cls} | {levels[rid]} | {summary} |")
rows.sort()
readme = root / "README.md"
lines = readme.read_text().split("\n")
idx = [i for i, l in enumerate(lines) if l.startswith("| [`")]
lines[idx[0] : idx[-1] + 1] = rows
readme.write_text("\n".join(lines))
print(f"{len(rows)} rules")
