"""Benchmark: how long `bake.infer.infer_folder` takes on TPC-H (issue 21: at most 30 s at SF1).

    python -m bench.infer_speed                 # generate SF1 csv into a temporary folder
    python -m bench.infer_speed --scale 0.1     # another scale
    python -m bench.infer_speed --data DIR      # landed files already there (one folder or file
                                                # per table, e.g. tpchgen-cli's output)

Prints the wall time of the inference (data generation excluded), the seconds spent per table
(sample, full pass and key search; the reference checks are printed once, across tables), the
peak memory of this process, and the rows and key found per table as a check. Run it on an
otherwise idle machine: DuckDB uses every core.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bake.infer import infer_folder

VENV_BIN = Path(sys.executable).parent


def generate(scale: str, folder: Path) -> None:
    command = [str(VENV_BIN / "tpchgen-cli"), "csv", "-s", scale, "--output-dir", str(folder)]
    print(f"generating TPC-H scale {scale} into {folder} ...", flush=True)
    subprocess.run(command, check=True, capture_output=True)


def run(data: Path) -> float:
    size = sum(path.stat().st_size for path in data.rglob("*") if path.is_file())
    print(f"inferring {data} ({size / 2**30:.2f} GiB)", flush=True)
    started = time.perf_counter()
    inferred = infer_folder(data, progress=lambda line: print(f"  {line}", flush=True))
    seconds = time.perf_counter() - started
    print(f"\ninference: {seconds:.1f} s wall")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    print(f"{'table':<12} {'seconds':>8}  role       key")
    for name, entry in inferred.tables.items():
        key = ", ".join(entry["keys"]) or "none"
        print(f"{name:<12} {inferred.seconds[name]:>8.1f}  {entry['role']:<10} {key}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.infer_speed")
    parser.add_argument("--scale", default="1", help="TPC-H scale factor (default 1, ~1 GB)")
    parser.add_argument("--data", type=Path, help="infer these files instead of generating")
    args = parser.parse_args(argv)
    if args.data:
        run(args.data)
        return 0
    with tempfile.TemporaryDirectory(prefix="infer-speed-") as folder:
        generate(args.scale, Path(folder))
        run(Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
