"""Size of the bundled all-sky HiPS tile sets, per survey and per order.

For each survey of ``astrolearn.data.sky`` (or of another folder of tile sets, such as
one built by ``tools/build-hips.py --quality Q --out DIR``): the number of tiles, their
bytes and bytes per tile at each order, the HiPS pixel size, the all-sky preview
(``Norder3/Allsky.jpg``, which Aladin Lite fetches from every set), and each survey's
share of the 11 MB budget of the bundle.

Usage: python benchmarks/bench_sky.py [SKY_DIR]
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from astrolearn.data import sky

BUDGET = 11_000_000  # bytes: 11 MB, as tests/data/test_sky.py allows


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else sky.SKY
    print(
        f"{'survey':24s} {'order':>5s} {'pixel':>8s} {'tiles':>6s} {'bytes':>10s} {'per tile':>9s}"
    )
    total = sum(p.stat().st_size for p in root.glob("*.json"))  # surveys.json
    for folder in sorted(p for p in root.iterdir() if (p / "properties").is_file()):
        width = int(sky.read_properties(folder)["hips_tile_width"])
        survey_bytes = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        for order_dir in sorted(folder.glob("Norder*")):
            order = int(order_dir.name.removeprefix("Norder"))
            sizes = [p.stat().st_size for p in order_dir.glob("Dir*/Npix*")]
            for preview in order_dir.glob("Allsky.*"):
                size = preview.stat().st_size
                print(f"{folder.name:24s} {order:5d} {'preview':>8s} {1:6d} {size:10,d}")
            if not sizes:  # Norder3 of a shallower set holds only the preview
                continue
            pixel = math.degrees(math.sqrt(4 * math.pi / 12)) / (2**order * width)
            print(
                f"{folder.name:24s} {order:5d} {pixel:7.4f}° {len(sizes):6d} {sum(sizes):10,d}"
                f" {sum(sizes) / len(sizes):9,.0f}"
            )
        total += survey_bytes
        print(
            f"{folder.name:24s} {'all':>5s} {'':8s} {'':6s} {survey_bytes:10,d}"
            f" {survey_bytes / BUDGET:8.1%} of budget"
        )
    print(f"{'total':24s} {'':5s} {'':8s} {'':6s} {total:10,d} {total / BUDGET:8.1%} of budget")


if __name__ == "__main__":
    main()
