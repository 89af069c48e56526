"""VO layer speed: query latency on the mirror vs offline, and cross-match scaling.

1. Latency (median of repeats, disk cache off): a 10 arcmin Gaia cone on the Pleiades
   and a TAP query, answered by the offline snapshot (the baseline) and by the local
   DaCHS mirror (TAP sync, TAP async, SCS). The mirror must be running
   (``astrolearn mirror start``); without it only the offline rows are printed.
2. Cross-match (astropy KD-tree, ``vo.xmatch`` on local tables) of N positions against
   a catalog of N sources for N = 1e4, 1e5, 1e6, with the time ratio to N = 1e4 and the
   growth exponent k in t ~ N^k between steps. Positions are uniform random points on a
   100 deg^2 patch; the table is the catalog shifted by 0.3 arcsec (all should match).

Usage: python benchmarks/bench_vo.py [--repeats 7] [--max-rows 1000000]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time

os.environ["ASTROLEARN_VO_CACHE"] = "0"  # measure the services, not the disk cache

import astropy.units as u
import numpy as np
from astrolearn import vo
from astrolearn.vo import mirror
from astropy.table import Table

ADQL = (
    "SELECT source_id, ra, dec, parallax, phot_g_mean_mag FROM gaiadr3.gaia_source "
    "WHERE parallax > 5 AND phot_g_mean_mag < 12"
)


def median_time(call, repeats: int) -> float:
    call()  # warm-up: imports, connection, DaCHS caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def offline_tap_equivalent():
    """What the TAP query computes, done on the offline snapshot with astropy."""
    from astrolearn.vo import mirror_data

    table = mirror_data.gaia_source()
    keep = (table["parallax"] > 5) & (table["phot_g_mean_mag"] < 12)
    return table[np.ma.filled(keep, False)]


def latency(repeats: int) -> None:
    cone = {"catalog": "gaia_dr3", "center": "56.75 24.12", "radius": 10 * u.arcmin}
    rows = [
        ("cone 10'", "offline snapshot", lambda: vo.cone_search(backend="offline", **cone)),
        ("TAP filter", "offline (astropy)", offline_tap_equivalent),
    ]
    if mirror.is_running():
        service = vo.tap("gaia_dr3", backend="mirror")
        rows += [
            ("cone 10'", "mirror TAP", lambda: vo.cone_search(backend="mirror", **cone)),
            (
                "cone 10'",
                "mirror SCS",
                lambda: vo.cone_search(backend="mirror", protocol="scs", **cone),
            ),
            ("TAP filter", "mirror TAP sync", lambda: service.run(ADQL)),
            ("TAP filter", "mirror TAP async", lambda: service.run(ADQL, mode="async")),
        ]
    else:
        print("(mirror not running: start it with `astrolearn mirror start` for mirror rows)")
    baseline = {}
    print(f"\n{'query':<12} {'backend':<20} {'median ms':>10} {'x offline':>10}")
    for query, backend, call in rows:
        repeat = 2 if "async" in backend else repeats  # an async job takes seconds
        seconds = median_time(call, repeat)
        baseline.setdefault(query, seconds)
        ratio = seconds / baseline[query]
        print(f"{query:<12} {backend:<20} {seconds * 1000:>10.1f} {ratio:>10.1f}")


def patch(n: int, rng: np.random.Generator) -> Table:
    """n uniform random positions on a 10 x 10 deg patch at the equator."""
    ra = rng.uniform(150, 160, n)
    dec = np.degrees(np.arcsin(rng.uniform(np.sin(np.radians(-5)), np.sin(np.radians(5)), n)))
    return Table({"ra": ra, "dec": dec})


def crossmatch(max_rows: int) -> None:
    rng = np.random.default_rng(42)
    sizes = [n for n in (10_000, 100_000, 1_000_000) if n <= max_rows]
    print(f"\n{'rows':>10} {'seconds':>9} {'x 1e4':>7} {'growth k':>9} {'matched':>9}")
    vo.xmatch(patch(100, rng), patch(100, rng), 1 * u.arcsec)  # warm-up (imports)
    previous = None
    first = None
    for n in sizes:
        catalog = patch(n, rng)
        table = Table({"ra": catalog["ra"] + (0.3 / 3600), "dec": catalog["dec"]})
        start = time.perf_counter()
        pairs = vo.xmatch(table, catalog, 1 * u.arcsec)
        seconds = time.perf_counter() - start
        first = first or seconds
        growth = (
            "" if previous is None else f"{math.log(seconds / previous[1], n / previous[0]):.2f}"
        )
        matched = len(np.unique(np.asarray(pairs["ra"]))) / n
        print(f"{n:>10,} {seconds:>9.2f} {seconds / first:>7.1f} {growth:>9} {matched:>9.1%}")
        previous = (n, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--max-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    latency(args.repeats)
    crossmatch(args.max_rows)


if __name__ == "__main__":
    main()
