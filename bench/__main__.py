"""`python -m bench [SECTION ...] [--quick]`: run the benchmarks, print the table, write the results.

A full run writes bench/results.json (sections run alone are merged into it); `--quick` is a smoke run and
writes bench/out/results.json instead, so it never replaces measured figures."""

from __future__ import annotations

import argparse
import importlib
import json
import time
from datetime import UTC, datetime
from typing import Any

from bench.common import OUT, QUICK, ROOT, Profile, cleanup_pg, machine
from bench.report import print_table

SECTIONS = ("reader", "webhook", "delivery", "delivery_aliyun", "events", "import", "scale", "memory", "reports")
RESULTS = ROOT / "bench" / "results.json"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("sections", nargs="*", metavar="SECTION", help="any of: " + ", ".join(SECTIONS))
    parser.add_argument("--quick", action="store_true", help="short runs, one repeat; results to bench/out/")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    profile = QUICK if args.quick else Profile()
    target = OUT / "results.json" if args.quick else RESULTS
    OUT.mkdir(parents=True, exist_ok=True)
    cleanup_pg()
    figures = _load(target)
    for section in args.sections or SECTIONS:
        started = time.monotonic()
        print(f"== {section} ...", flush=True)
        module = importlib.import_module(f"bench.{'importer' if section == 'import' else section}")
        result: dict[str, Any] = module.run(profile)
        figures["figures"].update(result)
        print(f"   {section} took {time.monotonic() - started:.0f} s", flush=True)
        _save(target, figures, profile)
    print_table(figures["figures"])
    print(f"\nwritten to {target.relative_to(ROOT)}")


def _load(path: Any) -> dict[str, Any]:
    if path.exists():
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return loaded
    return {"figures": {}}


def _save(path: Any, figures: dict[str, Any], profile: Profile) -> None:
    figures["machine"] = machine()
    figures["profile"] = profile.__dict__
    figures["measured_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
