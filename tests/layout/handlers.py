#!/usr/bin/env python3
"""Lists the longest functions (`async fn` at top level or in impl) under a folder: name, lines."""
import re, sys, pathlib
root = pathlib.Path(sys.argv[1]); limit = int(sys.argv[2]) if len(sys.argv) > 2 else 40
rows = []
for f in root.rglob("*.rs"):
    lines = f.read_text().splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r'^(\s*)(pub(\([a-z]+\))? )?async fn (\w+)', lines[i])
        if m:
            indent = m.group(1); j = i + 1
            while j < len(lines) and lines[j] != indent + "}":
                j += 1
            rows.append((j - i + 1, f"{f}:{i+1}", m.group(4))); i = j
        i += 1
rows.sort(reverse=True)
over = [r for r in rows if r[0] > limit]
for n, where, name in over: print(f"{n:4} {name:32} {where}")
print(f"{len(over)} of {len(rows)} async fns over {limit} lines")
