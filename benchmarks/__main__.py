"""`python -m benchmarks`: see the package docstring and `--help`."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .common import BACKENDS, FULL, SMOKE
from .report import summary
from .runner import NAMES, run_all

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure the real bot through the local Discord emulator.",
    )
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes, a few seconds (results go to a temporary directory"
                        " unless --out is given)")
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help=f"run only this measurement ({', '.join(NAMES)}); repeatable or"
                        " comma-separated; a partial run updates its entries in results.json")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"where to write results (default {DOCS})")
    parser.add_argument("--no-plots", action="store_true")
    args = parser.parse_args(argv)
    only = [n.strip() for item in (args.only or []) for n in item.split(",") if n.strip()]
    for name in only:
        if name not in NAMES:
            parser.error(f"unknown measurement {name!r}; choose from {', '.join(NAMES)}")
    backends = list(BACKENDS) if args.backend == "both" else [args.backend]
    out = args.out
    if out is None:
        out = Path(tempfile.mkdtemp(prefix="concord-bench-smoke-")) if args.smoke else DOCS
    data = asyncio.run(run_all(SMOKE if args.smoke else FULL, backends, only or list(NAMES), out,
                               argv=argv, plots=not args.no_plots))
    print(summary(data))
    print(out / "results.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
