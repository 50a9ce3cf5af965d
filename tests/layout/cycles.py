#!/usr/bin/env python3
"""File-level import cycles in a crate: which files reach each other through `crate::` paths.
Usage: cycles.py CRATE_SRC_DIR. Prints each strongly connected set of more than one file."""
import re, sys, pathlib
root = pathlib.Path(sys.argv[1])
files = {}
for f in root.rglob("*.rs"):
    rel = f.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib", "main"): parts = parts[:-1]
    files["::".join(parts)] = f
def resolve(path):
    parts = path.split("::")
    while parts:
        key = "::".join(parts)
        if key in files: return key
        parts = parts[:-1]
    return None
graph = {}
for mod, f in files.items():
    text = f.read_text()
    # drop test modules: cycles through tests do not count
    text = text.split("#[cfg(test)]")[0]
    text = re.sub(r"//.*", "", text)
    refs = set()
    for m in re.finditer(r"crate::((?:[a-z_0-9]+::)*[a-z_0-9]+)", text):
        r = resolve(m.group(1))
        if r is not None and r != mod: refs.add(r)
    for m in re.finditer(r"use crate::((?:[a-z_0-9]+::)*)\{([^;]*)\};", text, re.S):
        prefix = m.group(1)
        for item in re.findall(r"([a-z_0-9]+(?:::[a-z_0-9]+)*)", m.group(2)):
            r = resolve(prefix + item)
            if r is not None and r != mod: refs.add(r)
    # `mod child;` makes the child part of this module: an edge like an import.
    for m in re.finditer(r"^(?:pub(?:\([a-z]+\))? )?mod ([a-z_0-9]+);", text, re.M):
        child = f"{mod}::{m.group(1)}" if mod else m.group(1)
        if child in files: refs.add(child)
    graph[mod] = refs
# Tarjan
index = {}; low = {}; stack = []; on = set(); sccs = []; n = [0]
sys.setrecursionlimit(10000)
def strong(v):
    index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in graph[v]:
        if w not in index: strong(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: sccs.append(sorted(comp))
for v in graph:
    if v not in index: strong(v)
for c in sorted(sccs, key=len, reverse=True):
    print(f"{len(c)} files: {', '.join(c)}")
print(f"{len(sccs)} cycles, {sum(len(c) for c in sccs)} files in them, {len(files)} files")
