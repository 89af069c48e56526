"""The disk cache: identical queries hit it; prefill and clear work."""

import astropy.units as u
from astrolearn.vo import cache
from astropy.table import Table


def test_put_get_keeps_units_and_provenance():
    table = Table({"ra": [1.0, 2.0] * u.deg}, meta={"source": "live", "fetched_at": "2026-01-01"})
    key = cache.key("http://example.invalid/tap", "SELECT ra FROM t", 10)
    cache.put(key, table)
    again = cache.get(key)
    assert again["ra"].unit == u.deg and list(again["ra"]) == [1.0, 2.0]
    assert again.meta["source"] == "live" and again.meta["cached"] is True


def test_key_ignores_whitespace_but_not_maxrec():
    assert cache.key("u", "SELECT  1\n", 5) == cache.key("u", "SELECT 1", 5)
    assert cache.key("u", "SELECT 1", 5) != cache.key("u", "SELECT 1", 6)


def test_prefill_runs_each_call_and_clear_empties():
    table = Table({"x": [1]})
    calls = [lambda i=i: cache.put(cache.key("u", f"q{i}", 1), table) for i in range(3)]
    assert cache.prefill(calls) == 3
    assert cache.clear() == 3
    assert cache.get(cache.key("u", "q0", 1)) is None


def test_damaged_file_is_a_miss():
    key = cache.key("u", "broken", 1)
    cache.directory().mkdir(parents=True, exist_ok=True)
    (cache.directory() / f"{key}.ecsv").write_text("not ecsv at all")
    assert cache.get(key) is None


def test_write_failures_warn_with_a_vo_warning_and_leave_no_partial_file(tmp_path, monkeypatch):
    import pytest
    from astrolearn import vo

    table = Table({"x": [1]})
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ASTROLEARN_CACHE_DIR", str(blocker / "vo"))  # under a file
    with pytest.warns(vo.CacheWriteWarning, match="ASTROLEARN_CACHE_DIR"):
        cache.put(cache.key("u", "q", 1), table)
    monkeypatch.setenv("ASTROLEARN_CACHE_DIR", str(tmp_path / "ok"))
    odd = Table({"x": [1, 2]})
    odd["x"] = [{1, 2}, object()]  # nothing ECSV can write: not an OSError
    with pytest.warns(vo.CacheWriteWarning, match="result is fine"):
        cache.put(cache.key("u", "odd", 1), odd)
    assert list((tmp_path / "ok").glob("*")) == []
