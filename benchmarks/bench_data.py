"""Load time of each bundled dataset: our Parquet files against the original files.

Cold: the first read in a fresh Python process (astropy and pyarrow already imported,
timed from the call; the bundled read includes its one-off checksum). Warm: the median
of 5 reads in the same process. The original files (CSV, text, FITS, ECSV) are read
with astropy from the shared data folder and given the same columns, as a user of the
raw files would have to.

Usage: python benchmarks/bench_data.py [SHARED_DATA_DIR]   (default ../shared/data)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))

READ_ORIGINAL = """
import sys, time, json
sys.path.insert(0, {tools!r})
from pathlib import Path
from build_data import read
from specs import DATASETS
spec = next(s for s in DATASETS if s["name"] == {name!r})
folder = Path({shared!r}) / spec["folder"]
def once():
    return read(folder, spec)
"""
READ_BUNDLED = """
import time, json
import astropy.table, pyarrow.parquet  # imported before timing, as for the originals
from astrolearn.data import catalog
def once():
    catalog._read.cache_clear()  # the checksum stays verified after the first read
    return catalog.load({name!r})
"""
TIMING = """
start = time.perf_counter(); once(); cold = time.perf_counter() - start
warm = []
for _ in range(5):
    start = time.perf_counter(); once(); warm.append(time.perf_counter() - start)
print(json.dumps([cold, sorted(warm)[2]]))
"""


def measure(setup: str) -> tuple[float, float]:
    result = subprocess.run(
        [sys.executable, "-c", setup + TIMING], capture_output=True, text=True, check=True
    )
    cold, warm = json.loads(result.stdout.strip().splitlines()[-1])
    return cold, warm


def main() -> None:
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else REPO.parent / "shared" / "data")
    from specs import DATASETS

    print(
        f"{'dataset':26s} {'rows':>7s} {'cold orig':>10s} {'cold pq':>9s} {'ratio':>6s}"
        f" {'warm orig':>10s} {'warm pq':>9s} {'ratio':>6s}"
    )
    ratios = []
    for spec in DATASETS:
        name = spec["name"]
        original = measure(
            READ_ORIGINAL.format(tools=str(REPO / "tools"), name=name, shared=str(shared))
        )
        bundled = measure(READ_BUNDLED.format(name=name))
        cold_ratio, warm_ratio = original[0] / bundled[0], original[1] / bundled[1]
        ratios.append(warm_ratio)
        cold = f"{original[0] * 1e3:8.1f}ms {bundled[0] * 1e3:7.1f}ms {cold_ratio:5.1f}x"
        warm = f"{original[1] * 1e3:8.1f}ms {bundled[1] * 1e3:7.1f}ms {warm_ratio:5.1f}x"
        print(f"{name:26s} {spec['rows']:7d} {cold} {warm}")
    median = statistics.median(ratios)
    print(f"median warm speed-up of Parquet over the original files: {median:.1f}x")


if __name__ == "__main__":
    main()
