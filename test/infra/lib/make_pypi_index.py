"""Lay out a PEP 503 "simple" index from a directory of wheels and sdists (.tar.gz).

usage: make_pypi_index.py WHEEL_DIR OUT_DIR

OUT_DIR/packages/<wheel files>
OUT_DIR/simple/index.html
OUT_DIR/simple/<normalized-name>/index.html   (links carry #sha256=...)

Only the standard library is used (run it with /usr/bin/python3).
"""

import hashlib
import html
import os
import re
import shutil
import sys
import tarfile
import zipfile
from email.parser import HeaderParser


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_metadata(path: str):
    with zipfile.ZipFile(path) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = HeaderParser().parsestr(zf.read(meta_name).decode("utf-8"))
    return meta["Name"], meta["Version"], meta.get("Requires-Python")


def sdist_metadata(path: str):
    with tarfile.open(path) as tf:
        member = min((m for m in tf.getmembers() if m.name.endswith("/PKG-INFO")), key=lambda m: m.name.count("/"))
        meta = HeaderParser().parsestr(tf.extractfile(member).read().decode("utf-8"))
    return meta["Name"], meta["Version"], meta.get("Requires-Python")


def page(title: str, links: list) -> str:
    body = "\n".join(links)
    return (
        "<!DOCTYPE html>\n<html>\n<head><meta name=\"pypi:repository-version\" content=\"1.0\">"
        f"<title>{html.escape(title)}</title></head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def main() -> int:
    wheel_dir, out_dir = sys.argv[1], sys.argv[2]
    pkg_dir = os.path.join(out_dir, "packages")
    simple = os.path.join(out_dir, "simple")
    os.makedirs(pkg_dir, exist_ok=True)
    os.makedirs(simple, exist_ok=True)
    projects = {}
    for fname in sorted(os.listdir(wheel_dir)):
        if not fname.endswith((".whl", ".tar.gz")):
            continue
        src = os.path.join(wheel_dir, fname)
        shutil.copy2(src, os.path.join(pkg_dir, fname))
        name, version, requires_python = (wheel_metadata if fname.endswith(".whl") else sdist_metadata)(src)
        with open(src, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
        projects.setdefault(normalize(name), []).append((fname, digest, requires_python, version))
    if not projects:
        print("no wheels found in " + wheel_dir, file=sys.stderr)
        return 1
    root_links = []
    for proj in sorted(projects):
        root_links.append(f'<a href="{proj}/">{proj}</a><br>')
        links = []
        for fname, digest, requires_python, _version in projects[proj]:
            attr = ""
            if requires_python:
                attr = f' data-requires-python="{html.escape(requires_python, quote=True)}"'
            links.append(f'<a href="../../packages/{fname}#sha256={digest}"{attr}>{fname}</a><br>')
        os.makedirs(os.path.join(simple, proj), exist_ok=True)
        with open(os.path.join(simple, proj, "index.html"), "w", encoding="utf-8") as fh:
            fh.write(page(f"Links for {proj}", links))
    with open(os.path.join(simple, "index.html"), "w", encoding="utf-8") as fh:
        fh.write(page("Simple index", root_links))
    for proj in sorted(projects):
        versions = ", ".join(v for _f, _d, _r, v in projects[proj])
        print(f"  {proj}: {versions}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
