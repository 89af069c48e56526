"""The hub hands the lessons to each student at every start: what the student lacks is
copied, what the student has (changed or not) is never replaced."""

from __future__ import annotations

from pathlib import Path

from astrolearn.classroom.lessons import copy_missing, main


def lessons(root: Path) -> Path:
    for name, text in {"01/lesson.md": "one", "02/lesson.md": "two", "README.md": "hi"}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "01" / "lesson.ipynb").write_text("{}")  # a built notebook, not handed out
    return root


def test_a_first_copy_gives_every_lesson_but_built_notebooks(tmp_path):
    source = lessons(tmp_path / "source")
    copied = copy_missing(source, tmp_path / "home" / "lessons")
    assert sorted(map(str, copied)) == ["01/lesson.md", "02/lesson.md", "README.md"]
    assert not (tmp_path / "home" / "lessons" / "01" / "lesson.ipynb").exists()


def test_a_students_changes_are_kept_and_what_they_lack_comes_back(tmp_path):
    source = lessons(tmp_path / "source")
    home = tmp_path / "home" / "lessons"
    copy_missing(source, home)
    (home / "01" / "lesson.md").write_text("my work")
    (home / "02" / "lesson.md").unlink()
    (home / "mine.md").write_text("notes")
    (source / "03").mkdir()
    (source / "03" / "lesson.md").write_text("three")
    copied = copy_missing(source, home)
    assert sorted(map(str, copied)) == ["02/lesson.md", "03/lesson.md"]
    assert (home / "01" / "lesson.md").read_text() == "my work"
    assert (home / "mine.md").read_text() == "notes"


def test_a_link_the_student_left_is_not_followed_over(tmp_path):
    source = lessons(tmp_path / "source")
    home = tmp_path / "home" / "lessons"
    (home / "01").mkdir(parents=True)
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours")
    (home / "01" / "lesson.md").symlink_to(outside)
    copy_missing(source, home)
    assert outside.read_text() == "not yours"


def test_the_command_line_says_how_many_files_it_copied(tmp_path, capsys):
    source = lessons(tmp_path / "source")
    assert main([str(source), str(tmp_path / "dest")]) == 0
    assert "3 lesson file(s) copied" in capsys.readouterr().out
    assert main([str(source)]) == 2
