#!/usr/bin/env python3
"""List batchsim's public API from rustdoc JSON, one item a line, cargo-public-api style.

Usage: cargo +nightly rustdoc --lib -- -Z unstable-options --output-format json
       python3 docs/public_api.py target/doc/batchsim.json [--list]
Counts every path a user can name: modules, types, variants, public fields, functions,
constants, traits, inherent methods and associated items. Trait impls are not counted.
"""
import json, sys, collections

d = json.load(open(sys.argv[1]))
idx = d["index"]
out = set()

def kind_of(it):
    return next(iter(it["inner"]))

def public(it):
    return it["visibility"] == "public"

seen = set()
def walk(item_id, path):
    it = idx.get(str(item_id))
    if it is None:
        return
    k = kind_of(it)
    key = (item_id, tuple(path))
    if key in seen:
        return
    seen.add(key)
    inner = it["inner"][k]
    if k == "module":
        out.add(("mod", "::".join(path)))
        for c in inner["items"]:
            ci = idx.get(str(c))
            if ci is None or not public(ci):
                continue
            ck = kind_of(ci)
            if ck == "use":
                u = ci["inner"]["use"]
                if u["id"] is None:
                    continue
                if u["is_glob"]:
                    tgt = idx.get(str(u["id"]))
                    if tgt and kind_of(tgt) == "module":
                        for g in tgt["inner"]["module"]["items"]:
                            gi = idx.get(str(g))
                            if gi and public(gi) and gi.get("name"):
                                walk(g, path + [gi["name"]])
                    continue
                walk(u["id"], path + [u["name"]])
            else:
                if ci.get("name"):
                    walk(c, path + [ci["name"]])
        return
    p = "::".join(path)
    if k in ("struct", "enum", "union", "trait"):
        out.add((k, p))
        impls = inner.get("impls", [])
        if k == "struct":
            kind = inner["kind"]
            if "plain" in kind:
                for f in kind["plain"]["fields"]:
                    fi = idx[str(f)]
                    if public(fi):
                        out.add(("field", p + "::" + fi["name"]))
            elif "tuple" in kind:
                for n, f in enumerate(kind["tuple"]):
                    if f is not None and public(idx[str(f)]):
                        out.add(("field", p + "::" + str(n)))
        if k == "enum":
            for v in inner["variants"]:
                vi = idx[str(v)]
                out.add(("variant", p + "::" + vi["name"]))
                vk = vi["inner"]["variant"]["kind"]
                if isinstance(vk, dict) and "struct" in vk:
                    for f in vk["struct"]["fields"]:
                        out.add(("field", p + "::" + vi["name"] + "::" + idx[str(f)]["name"]))
        if k == "trait":
            for m in inner["items"]:
                mi = idx[str(m)]
                out.add(("trait-item", p + "::" + mi["name"]))
        for im in impls:
            ii = idx.get(str(im))
            if ii is None:
                continue
            imp = ii["inner"]["impl"]
            if imp["trait"] is not None or imp.get("is_synthetic") or imp.get("blanket_impl"):
                continue
            for m in imp["items"]:
                mi = idx[str(m)]
                if public(mi):
                    out.add(("method" if kind_of(mi) == "function" else "assoc", p + "::" + mi["name"]))
        return
    names = {"function": "fn", "constant": "const", "static": "static", "type_alias": "type", "macro": "macro"}
    out.add((names.get(k, k), p))

walk(d["root"], [idx[str(d["root"])]["name"]])
c = collections.Counter(k for k, _ in out)
if "--list" in sys.argv:
    for k, p in sorted(out, key=lambda x: (x[1], x[0])):
        print(f"{k} {p}")
print("total", len(out), dict(sorted(c.items())), file=sys.stderr)
