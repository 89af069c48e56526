"""The ``astrolearn`` command as a new user meets it: its help and its messages.

Fast: nothing here starts a server, a build or nbgrader (``tests/test_wheel.py`` runs the
installed commands for real).
"""

from __future__ import annotations

import argparse
import re
import socket
from pathlib import Path

import pytest
from astrolearn import cli
from astrolearn.grading import cycle

#: Markup of docstrings that has no place in a terminal: ``code``, :role:`x`, `x`_.
MARKUP = re.compile(r"``|:[a-z]+:`|`\w[^`]*`_|^\.\. ", re.MULTILINE)


def parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """``(words, parser)`` for the ``astrolearn`` parser and every command and step below it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from parsers(child, (*path, name))


ALL = list(parsers(cli.build_parser()))


def test_every_command_and_step_is_walked():
    words = {" ".join(path) for path, _ in ALL}
    assert {"serve", "lab", "book", "mirror", "data", "grade release", "grade students"} <= words
    assert not [path for path, parser in ALL if parser.get_default("unavailable")]


@pytest.mark.parametrize("path,parser", ALL, ids=[" ".join(p) or "astrolearn" for p, _ in ALL])
def test_help_is_plain_text_that_explains_every_argument(path, parser):
    text = parser.format_help()
    assert not MARKUP.search(text), MARKUP.search(text)
    if path:
        assert parser.description, f"'astrolearn {' '.join(path)} --help' says nothing of it"
    formatter = parser._get_formatter()
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            continue
        if isinstance(action, argparse._SubParsersAction):
            assert all(choice.help for choice in action._choices_actions), path
            continue
        name = "/".join(action.option_strings) or action.dest
        assert action.help, f"{name} has no help"
        shown = formatter._expand_help(action) if action.help else ""
        if action.default not in (None, False, argparse.SUPPRESS):
            assert "default" in shown, f"{name}: its default {action.default!r} is not shown"
    # Placeholders in the usage line are words a reader understands, not dest names.
    assert not re.search(r"\b(SOURCE_DIR|TO)\b", text)


@pytest.mark.parametrize("where", ["before", "after"])
def test_the_folder_options_of_grade_go_before_or_after_the_step(where, tmp_path):
    options = ["--course", str(tmp_path), "--content", str(tmp_path / "mine")]
    words = (
        ["grade", *options, "release", "X"]
        if where == "before"
        else ["grade", "release", "X", *options]
    )
    args = cli.build_parser().parse_args(words)
    assert (args.step, args.assignment) == ("release", "X")
    assert args.course == tmp_path and args.content == tmp_path / "mine"


def test_a_step_given_without_the_folder_options_leaves_them_unset():
    args = cli.build_parser().parse_args(["grade", "export"])
    assert args.course is None and args.content is None and args.lessons is None


@pytest.mark.parametrize(
    "words,meant",
    [(["serv"], "serve"), (["grade", "relase", "X"], "release"), (["mirror", "stauts"], "status")],
)
def test_a_typo_in_a_command_or_step_names_the_one_meant(words, meant, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(words)
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert f"Did you mean '{meant}'?" in error and "--help" in error


def test_a_choice_far_from_any_lists_them_without_a_guess(capsys):
    with pytest.raises(SystemExit):
        cli.main(["data", "zzz"])
    error = capsys.readouterr().err
    assert "Did you mean" not in error and "list, cite, describe" in error


@pytest.fixture
def elsewhere(tmp_path, monkeypatch) -> Path:
    """A new user's empty folder, with no content root set in the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASTROLEARN_CONTENT", raising=False)
    return tmp_path


@pytest.mark.parametrize(
    "command,expected",
    [
        (["serve"], "apps/*.md"),
        (["lab"], "lessons/NN-slug/lesson.md"),
        (["grade", "release", "05-unsupervised-learning"], "course/nbgrader_config.py"),
        (["grade", "export"], "course/nbgrader_config.py"),
    ],
)
def test_a_content_folder_without_the_content_says_what_to_give(
    command, expected, elsewhere, capsys
):
    empty = elsewhere / "empty"
    empty.mkdir()
    assert cli.main([*command, "--content", str(empty)]) == 2
    error = capsys.readouterr().err
    assert f"--content {empty} has no {expected}" in error
    assert "--content DIR or ASTROLEARN_CONTENT" in error


def test_the_environment_variable_is_named_when_it_points_nowhere(elsewhere, monkeypatch, capsys):
    monkeypatch.setenv("ASTROLEARN_CONTENT", str(elsewhere / "missing"))
    assert cli.main(["lab"]) == 2
    assert f"ASTROLEARN_CONTENT={elsewhere / 'missing'} has no lessons/" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["serve", "lab"])
def test_a_busy_port_says_what_to_do(command, capsys):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        assert cli.main([command, "--port", str(port)]) == 2
    error = capsys.readouterr().err
    assert f"port {port} is in use" in error and "--port 0" in error
    # It names a port that is free now, and guesses nothing about what holds this one.
    offered = int(re.search(rf"astrolearn {command} --port (\d+) ", error).group(1))
    assert offered != port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", offered))
    assert "astrolearn?" not in error and f"another astrolearn {command}" not in error


@pytest.mark.parametrize("command", [["serve"], ["lab"], ["grade", "export"]])
def test_the_content_option_goes_before_the_command_too(command, elsewhere, capsys):
    empty = elsewhere / "empty"
    empty.mkdir()
    assert cli.main(["--content", str(empty), *command]) == 2
    assert f"--content {empty} has no " in capsys.readouterr().err


def test_the_content_option_after_the_command_wins_over_the_one_before(tmp_path):
    args = cli.parse(["--content", str(tmp_path / "a"), "lab", "--content", str(tmp_path / "b")])
    assert args.content == tmp_path / "b"
    assert cli.parse(["lab"]).content is None
    assert cli.parse(["--content", str(tmp_path), "grade", "release", "X"]).content == tmp_path


def test_the_content_option_before_a_command_that_has_none_is_refused(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.parse(["--content", "mine", "data", "list"])
    assert stopped.value.code == 2
    assert "data uses no content root" in capsys.readouterr().err


@pytest.fixture
def course(elsewhere, capsys) -> Path:
    """A course folder of one's own, as ``grade init`` makes it."""
    folder = elsewhere / "my-course"
    assert cli.main(["grade", "init", str(folder)]) == 0
    assert f"--course {folder}" in capsys.readouterr().out
    return folder


def test_an_ungraded_lesson_names_the_graded_ones(course, capsys):
    assert cli.main(["grade", "release", "01-data-deluge", "--course", str(course)]) == 2
    error = capsys.readouterr().err
    assert "lesson 01-data-deluge is not graded" in error and "assignments.toml" in error
    assert "05-unsupervised-learning" in error


def test_a_lesson_that_does_not_exist_names_the_graded_ones(course, capsys):
    assert cli.main(["grade", "release", "05-unsupervised", "--course", str(course)]) == 2
    assert "05-unsupervised-learning" in capsys.readouterr().err


@pytest.mark.parametrize("step", ["check", "autograde"])
def test_grading_an_unreleased_lesson_gives_the_release_command(step, course, capsys):
    assert cli.main(["grade", step, "05-unsupervised-learning", "--course", str(course)]) == 2
    error = capsys.readouterr().err
    assert f"grade release 05-unsupervised-learning --course {course}" in error


def test_init_refuses_a_folder_in_use(course, capsys):
    assert cli.main(["grade", "init", str(course)]) == 2
    assert "name a new folder" in capsys.readouterr().err


def test_data_without_a_name_shows_how_to_give_one(capsys):
    assert cli.main(["data", "cite"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "astrolearn data cite gaia_pleiades" in captured.err
    assert "`" not in captured.err


def test_an_unknown_dataset_names_the_bundled_ones_on_stderr(capsys):
    assert cli.main(["data", "describe", "gaia_pleiade"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "'gaia_pleiade'" in captured.err
    assert "gaia_pleiades" in captured.err


def test_a_stopped_mirror_says_how_to_start_it(monkeypatch, capsys):
    from astrolearn.vo import mirror

    monkeypatch.setattr(mirror, "is_running", lambda: False)
    monkeypatch.setattr(mirror.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert cli.main(["mirror", "status"]) == 1
    assert "start it with: astrolearn mirror start" in capsys.readouterr().out


FAKE_NBGRADER = """\
import sys
print("[GenerateAssignmentApp | INFO] Copying source/a/a.ipynb -> release/a/a.ipynb")
print("INFO  [alembic.runtime.migration] Context impl SQLiteImpl.")
print("[GenerateAssignmentApp | WARNING] Attribute 'checksum' for cell c1 has changed")
print("[GenerateAssignmentApp | ERROR] There was an error processing assignment: a")
print("Traceback (most recent call last):")
print("[GenerateAssignmentApp | INFO] Setting destination file permissions to 644")
sys.exit(1)
"""


def test_nbgraders_log_is_summarised_on_the_terminal_and_kept_whole(tmp_path, monkeypatch, capsys):
    # A stand-in for nbgrader, found first on the path, that writes nbgrader's log
    # format: the summary must not depend on nbgrader's speed or on a kernel.
    package = tmp_path / "fake" / "nbgrader"
    package.mkdir(parents=True)
    (package / "__main__.py").write_text(FAKE_NBGRADER)
    (package / "__init__.py").write_text("")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "fake"))
    course = tmp_path / "course"
    course.mkdir()

    assert cycle.nbgrader(course, "generate_assignment", "a") == 1
    shown = capsys.readouterr().out
    assert "| INFO]" not in shown and "alembic" not in shown
    assert "| WARNING] Attribute 'checksum'" in shown and "| ERROR]" in shown
    assert "Traceback (most recent call last):" in shown
    log = course / "reports" / "nbgrader.log"
    assert shown.rstrip().splitlines()[-1] == (
        f"nbgrader generate_assignment: failed (exit status 1); 3 routine log lines in {log}"
    )
    assert log.read_text().count("\n") == FAKE_NBGRADER.count("print(") + 1


#: Every command that takes --content, with what else it needs to get that far.
WITH_CONTENT = [
    ["book"],
    ["serve"],
    ["lab"],
    ["grade", "export"],
    ["grade", "release", "05-unsupervised-learning"],
    ["grade", "init", "new-course"],
    ["classroom", "init", "class", "--roster", "roster.csv"],
]


@pytest.fixture
def roster(elsewhere) -> Path:
    path = elsewhere / "roster.csv"
    path.write_text("username,role\nstudent1,student\n")
    return path


@pytest.mark.parametrize("command", WITH_CONTENT, ids=" ".join)
@pytest.mark.parametrize("given", ["missing", "empty"])
def test_a_wrong_content_root_is_a_usage_error_for_every_command(
    command, given, elsewhere, roster, capsys
):
    root = elsewhere / given
    if given == "empty":
        root.mkdir()
    before = sorted(elsewhere.iterdir())
    assert cli.main([*command, "--content", str(root)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"astrolearn {command[0]}: --content {root} ")
    assert "--content DIR or ASTROLEARN_CONTENT" in error and "Traceback" not in error
    # Refused before anything was written.
    assert sorted(elsewhere.iterdir()) == before


@pytest.mark.parametrize(
    "words,expected",
    [
        (["book", "--book", "nowhere"], "--book nowhere has no _config.yml"),
        (["book", "--timeout", "-1"], "a positive number of seconds, not '-1'"),
        (["book", "--timeout", "nan"], "a positive number of seconds, not 'nan'"),
        (["lab", "--lessons", "nowhere"], "--lessons nowhere is not a folder"),
        (["grade", "generate-sources", "--lessons", "nowhere"], "--lessons nowhere is not a"),
        (["serve", "--apps", "nowhere"], "no such folder nowhere"),
    ],
)
def test_a_folder_or_number_given_wrong_is_a_usage_error(words, expected, elsewhere, capsys):
    try:
        status = cli.main(words)
    except SystemExit as stopped:  # argparse's own check of a value
        status = stopped.code
    assert status == 2
    assert expected in capsys.readouterr().err


def files_under(folder: Path) -> dict[str, int]:
    """Every file under ``folder``, with its modification time (ns)."""
    return {
        str(path.relative_to(folder)): path.stat().st_mtime_ns
        for path in folder.rglob("*")
        if path.is_file()
    }


@pytest.mark.parametrize(
    "step", [["students", "list"], ["students", "add", "ada"], ["export"], ["check", "X"]]
)
def test_grade_never_writes_into_the_content_roots_course(step, elsewhere, capsys):
    # In a clone that is the tracked course/ folder: the settings, not a class's grades.
    template = cycle.content.folder("course")
    before = files_under(template)
    assert cli.main(["grade", *step]) == 2
    assert files_under(template) == before
    error = capsys.readouterr().err
    assert f"{template} holds the course settings" in error
    assert "astrolearn grade init my-course" in error


def test_listing_students_writes_nothing_and_lists_those_added(course, capsys):
    before = files_under(course)
    assert cli.main(["grade", "students", "list", "--course", str(course)]) == 0
    assert "no students yet" in capsys.readouterr().out
    assert files_under(course) == before  # no gradebook.db, no reports/nbgrader.log

    assert cli.main(["grade", "students", "add", "ada", "grace", "--course", str(course)]) == 0
    capsys.readouterr()
    with_students = files_under(course)
    assert "gradebook.db" in with_students
    assert cli.main(["grade", "--course", str(course), "students", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("2 student(s) in ") and listed[1:] == ["ada", "grace"]
    assert files_under(course) == with_students
