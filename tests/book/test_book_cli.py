"""``astrolearn book``'s argument checks and cache bookkeeping (fast, no build)."""

from __future__ import annotations

import pytest
from astrolearn import book
from astrolearn.cli import main


def test_missing_config_names_the_argument(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"book_dir=.*has no _config\.yml"):
        book.build(tmp_path)


def test_unknown_vo_backend_names_the_argument():
    with pytest.raises(ValueError, match="vo_backend must be one of"):
        book.build(vo_backend="satellite")


def test_cli_reports_a_bad_book_folder(tmp_path, capsys):
    assert main(["book", "--book", str(tmp_path)]) == 2
    assert "has no _config.yml" in capsys.readouterr().err


def test_no_cache_means_no_failed_notebook(tmp_path):
    assert book.failed_notebooks(tmp_path / ".jupyter_cache") == {}


def test_package_change_empties_the_execution_cache(tmp_path):
    build_dir = tmp_path / "_build"
    (build_dir / ".jupyter_cache").mkdir(parents=True)
    (build_dir / ".astrolearn-package").write_text("an older package\n")
    assert book._package_changed(build_dir) is True
    assert not (build_dir / ".jupyter_cache").exists()
    # Same package again: the cache is kept.
    (build_dir / ".jupyter_cache").mkdir()
    assert book._package_changed(build_dir) is False
    assert (build_dir / ".jupyter_cache").is_dir()
