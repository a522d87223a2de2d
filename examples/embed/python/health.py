#!/usr/bin/env python3
"""A weekly health check from Python, through PMQ's C ABI (include/pmq.h) and ctypes.

    swift build                                   # makes .build/debug/libPMQEmbed.so
    python3 examples/embed/python/health.py       # or: health.py path/to/libPMQEmbed.so [project.pmq]
"""
import ctypes
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))


def load(path=None):
    path = path or os.environ.get("PMQ_EMBED_LIB") or os.path.join(ROOT, ".build", "debug", "libPMQEmbed.so")
    lib = ctypes.CDLL(path)
    lib.pmq_open.restype = ctypes.c_void_p
    lib.pmq_open.argtypes = [ctypes.c_char_p]
    lib.pmq_set_option.restype = ctypes.c_int
    lib.pmq_set_option.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    # pmq_exec returns malloc'd memory: keep the raw pointer so it can be given back to pmq_free.
    lib.pmq_exec.restype = ctypes.c_void_p
    lib.pmq_exec.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.pmq_free.argtypes = [ctypes.c_void_p]
    lib.pmq_close.argtypes = [ctypes.c_void_p]
    return lib


class PMQ:
    def __init__(self, lib, path=None):
        self.lib = lib
        self.session = lib.pmq_open(path.encode() if path else None)
        if not self.session:
            raise RuntimeError("pmq_open failed")

    def option(self, name, value):
        if self.lib.pmq_set_option(self.session, name.encode(), str(value).encode()) != 0:
            raise ValueError(f"bad option {name}={value}")

    def run(self, text):
        raw = self.lib.pmq_exec(self.session, text.encode())
        try:
            return json.loads(ctypes.string_at(raw).decode())
        finally:
            self.lib.pmq_free(raw)

    def close(self):
        self.lib.pmq_close(self.session)


def main():
    lib = load(sys.argv[1] if len(sys.argv) > 1 else None)
    project = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "examples", "gov-cloud", "project.pmq")
    pmq = PMQ(lib)
    pmq.option("today", "2026-03-16")
    with open(project, encoding="utf-8") as f:
        loaded = pmq.run(f.read())
    assert loaded["ok"], loaded

    report = pmq.run("""
        count tasks where overdue
        tasks where overdue select wbs, name, owner, late order by late desc limit 3
        risks where score >= 12 and status = open select title, score order by score desc
    """)
    overdue, worst, risks = report["results"]
    print(f"overdue tasks: {overdue}")
    for t in worst:
        print(f"  {t['wbs']:8} {t['name']} ({t['owner']}, {t['late']} days late)")
    print(f"open risks scoring 12 or more: {len(risks)}")

    # Errors come back as located diagnostics, not exceptions.
    bad = pmq.run("tasks where ownr = 1")
    d = bad["diagnostics"][0]
    print(f"error at {d['line']}:{d['column']}: {d['message']}")

    # A host that runs its users' text can make the session read-only and bounded.
    pmq.option("readonly", 1)
    pmq.option("max_steps", 100000)
    refused = pmq.run('update tasks set priority = high')
    # The message names the refusal itself ("read-only: update is not allowed here").
    print("refused:", refused["diagnostics"][0]["message"])
    pmq.close()


if __name__ == "__main__":
    main()
