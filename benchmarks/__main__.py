"""``python -m benchmarks [--quick] [--only NAME]``: every ``bench_*.py`` here, as one table.

Each module exposes ``run(quick: bool) -> list[BenchResult]``. Results are printed and written
to ``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def _modules(only: str | None) -> list[str]:
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    return [n for n in names if only is None or only in n]


def _table(results: list[dict[str, Any]]) -> str:
    head = (
        f"{'benchmark':<48} {'baseline':<34} {'base µs':>9} {'cand µs':>9} "
        f"{'ratio':>7} {'target':>7}  ok"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        ok = "yes" if r["ratio"] <= r["target"] else "NO"
        lines.append(
            f"{r['name']:<48} {r['baseline']:<34} {r['baseline_us']:>9.2f} "
            f"{r['candidate_us']:>9.2f} {r['ratio']:>6.2f}x {r['target']:>6.2f}x  {ok}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (seconds, not minutes)")
    parser.add_argument("--only", help="run only modules whose name contains this")
    parser.add_argument("--output", default=str(HERE / "results" / "latest.json"))
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE.parent))
    results: list[dict[str, Any]] = []
    for name in _modules(args.only):
        module = importlib.import_module(f"benchmarks.{name}")
        started = time.perf_counter()
        results.extend(dict(r) for r in module.run(args.quick))
        print(f"# {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    print(_table(results))
    meta = {"python": platform.python_version(), "machine": platform.machine(), "quick": args.quick}
    Path(args.output).write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
