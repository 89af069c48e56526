"""`astrolearn classroom init --vo-mirror` / `--no-vo-mirror` on an existing classroom:
the config's ``VO_MIRROR`` line is switched in place, and an operator's own edits stay.
No hub, no root: the config is written and switched as `init` does it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from astrolearn import classroom

from tests.classroom.test_z2jh import rendered_config

#: What an operator might have changed by hand in the written config.
OPERATOR_EDIT = "\n# Our lab's own setting.\nc.Spawner.mem_limit = '3G'\n"


def init_again(folder: Path, *options: str) -> None:
    """`classroom init` on a folder that already has its config (its write step)."""
    parser = argparse.ArgumentParser()
    classroom.configure(parser)
    args = parser.parse_args(["init", str(folder), "--roster", "r.csv", "--proxy", "/p", *options])
    classroom.write_config(folder, args, lab_config="/lab-config")


def test_the_mirror_is_switched_on_and_off_and_the_operators_edits_stay(tmp_path, capsys):
    config = tmp_path / "class" / classroom.CONFIG
    first = rendered_config(tmp_path / "class") + OPERATOR_EDIT
    config.write_text(first)
    config.chmod(0o640)
    assert "VO_MIRROR = False\n" in first
    capsys.readouterr()

    init_again(tmp_path / "class", "--vo-mirror")
    said = capsys.readouterr().out
    on = config.read_text()
    # Only that line changed; the operator's edit, the comments and the mode stay.
    assert on == first.replace("VO_MIRROR = False\n", "VO_MIRROR = True\n")
    assert oct(config.stat().st_mode & 0o777) == "0o640"
    assert "changed VO_MIRROR from False to True" in said and "restart the hub" in said
    compile(on, "config", "exec")

    init_again(tmp_path / "class", "--vo-mirror")
    assert "VO_MIRROR is already True" in capsys.readouterr().out
    assert config.read_text() == on

    init_again(tmp_path / "class")  # without either option: left as the operator has it
    assert config.read_text() == on and "changed" not in capsys.readouterr().out

    init_again(tmp_path / "class", "--no-vo-mirror")
    assert config.read_text() == first
    assert "changed VO_MIRROR from True to False" in capsys.readouterr().out


@pytest.mark.parametrize(
    "edit", ["", "VO_MIRROR = True\nVO_MIRROR = False\n"], ids=["removed", "twice"]
)
def test_a_config_without_one_clear_line_is_not_guessed_at(tmp_path, edit):
    config = tmp_path / "class" / classroom.CONFIG
    text = rendered_config(tmp_path / "class").replace("VO_MIRROR = False\n", edit)
    config.write_text(text)
    with pytest.raises(classroom.ClassroomError, match="set it there by hand"):
        init_again(tmp_path / "class", "--vo-mirror")
    assert config.read_text() == text


def test_a_new_classroom_without_the_option_has_no_mirror(tmp_path):
    assert "VO_MIRROR = False\n" in rendered_config(tmp_path / "plain")
    assert "VO_MIRROR = True\n" in rendered_config(tmp_path / "on", "--vo-mirror")
    assert "VO_MIRROR = False\n" in rendered_config(tmp_path / "off", "--no-vo-mirror")
