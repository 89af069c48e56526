"""Self-check quizzes: verdicts and explanations, hostile answers, both renderings."""

from __future__ import annotations

import html
import json
import re

import pytest
from astrolearn.ui import Choice, MultipleChoice, Numeric, Quiz
from astrolearn.ui.quiz import MAX_ANSWER_CHARS, parse_number

OVERFIT = MultipleChoice(
    "A model scores 99% on its training set and 80% on its test set. Why?",
    Choice("It underfits.", why="An underfit model scores low on both sets."),
    Choice("It overfits.", correct=True, why="It learned the training set's noise."),
)
FRACTION = Numeric(
    "What fraction of the quasars have u - g < 0.6?",
    answer=0.336,
    tolerance=0.02,
    why="Most of these quasars lie at z > 2.2.",
    hint="Count them with a mask.",
    mistakes={0.664: "That is the fraction with u - g >= 0.6."},
)


def test_each_choice_is_told_why():
    wrong, right = OVERFIT.check(0), OVERFIT.check(1)
    assert not wrong.correct and "low on both sets" in wrong.message
    assert right.correct and right.message.startswith("Right.") and "noise" in right.message


@pytest.mark.parametrize("picked", [None, -1, 2, 10**9])
def test_no_or_impossible_choice_is_not_right(picked):
    verdict = OVERFIT.check(picked)
    assert not verdict.correct and "Choose one" in verdict.message


@pytest.mark.parametrize(
    ("typed", "correct", "says"),
    [
        ("0.336", True, "z > 2.2"),
        ("0.355", True, "Right"),  # inside the tolerance
        ("0.357", False, "too high"),  # just outside it
        ("0.30", False, "too low"),
        ("33.6%", True, "Right"),
        ("−0.1", False, "too low"),  # a typographic minus is a minus
        ("0.66", False, "u - g >= 0.6"),  # the common slip is named
        ("", False, "Type a number"),
        ("about a third", False, "Type a number"),
        ("1,5", False, "Type a number"),
        ("nan", False, "Type a number"),
        ("inf", False, "Type a number"),
        ("1e999", False, "ordinary size"),
        ("0x10", False, "Type a number"),
        ("1" * (MAX_ANSWER_CHARS + 1), False, "too long"),
        ("<img src=x onerror=alert(1)>", False, "Type a number"),
    ],
)
def test_numeric_answers(typed, correct, says):
    verdict = FRACTION.check(typed)
    assert verdict.correct is correct
    assert says in verdict.message


def test_parse_number_reads_what_people_type():
    assert parse_number(" 2.5e1 ") == 25.0
    assert parse_number("+.5") == 0.5
    assert parse_number("45 %") == 0.45
    assert isinstance(parse_number("1 000"), str)


@pytest.mark.parametrize(
    "build",
    [
        lambda: MultipleChoice("No right answer?", Choice("a"), Choice("b")),
        lambda: MultipleChoice("Two?", Choice("a", correct=True), Choice("b", correct=True)),
        lambda: MultipleChoice("One option?", Choice("a", correct=True)),
        lambda: Numeric("NaN?", answer=float("nan"), tolerance=0.1),
        lambda: Numeric("Negative tolerance?", answer=1.0, tolerance=-1),
        lambda: Quiz(),
    ],
)
def test_a_quiz_that_cannot_be_answered_is_refused_when_written(build):
    with pytest.raises(ValueError):
        build()


def test_the_widget_checks_in_the_kernel():
    quiz = Quiz(OVERFIT, FRACTION)
    quiz.inputs[0].value = 0
    assert not quiz.check(0).correct
    assert "low on both sets" in quiz.feedback[0].value and "✗" in quiz.feedback[0].value
    quiz.inputs[1].value = "0.336"
    assert quiz.check(1).correct and "✓" in quiz.feedback[1].value


def test_the_widget_escapes_what_it_shows():
    hostile = Numeric("<script>alert(1)</script>?", answer=1, tolerance=0)
    quiz = Quiz(hostile)
    quiz.inputs[0].value = "<b>x</b>"
    quiz.check(0)
    shown = " ".join(child.value for child in quiz.children if hasattr(child, "value"))
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert "<b>x" not in quiz.feedback[0].value


def test_the_book_gets_a_form_with_the_same_data():
    bundle = Quiz(OVERFIT, FRACTION, title="Quiz")._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    page = bundle["text/html"]
    assert page.startswith('<form class="astrolearn-quiz"')
    fieldsets = re.findall(r'data-kind="(\w+)" data-quiz=\'([^\']*)\'', page)
    assert [kind for kind, _ in fieldsets] == ["choice", "number"]
    choice = json.loads(html.unescape(fieldsets[0][1]))
    assert [c["correct"] for c in choice] == [False, True]
    number = json.loads(html.unescape(fieldsets[1][1]))
    assert number["answer"] == 0.336 and number["mistakes"] == [[0.664, FRACTION.mistakes[0.664]]]


def test_the_form_escapes_and_names_are_stable_and_unique():
    hostile = MultipleChoice(
        "'><script>alert(1)</script>",
        Choice("</label><script>x()</script>", correct=True, why="' onmouseover='x()"),
        Choice("b"),
    )
    page = Quiz(hostile)._repr_mimebundle_()["text/html"]
    assert "<script>" not in page and "' onmouseover" not in page
    again = Quiz(hostile)._repr_mimebundle_()["text/html"]
    assert page == again  # the same build gives the same page
    other = Quiz(OVERFIT)._repr_mimebundle_()["text/html"]
    names = set(re.findall(r'name="([^"]+)"', page))
    assert names.isdisjoint(re.findall(r'name="([^"]+)"', other))
