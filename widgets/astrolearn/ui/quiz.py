"""Self-check quizzes: multiple-choice and numeric questions with explained feedback.

One quiz, written once in a lesson's code cell, is checked everywhere the lesson is
shown: as ipywidgets in JupyterLab and Voila (the kernel checks), and as plain HTML in
the book, where the site's script checks the same data without a kernel. A wrong
choice is answered with why it is wrong, not only that it is.

Numeric answers should be values the lesson computed, so that the quiz stays true
when the data change::

    from astrolearn.ui import Choice, MultipleChoice, Numeric, Quiz
    Quiz(
        MultipleChoice(
            "A model scores 99% on its training set and 80% on its test set. Why?",
            Choice("It overfits.", correct=True, why="It learned the training set's noise."),
            Choice("It underfits.", why="An underfit model scores low on both sets."),
        ),
        Numeric("What fraction of the quasars have u - g < 0.6?", answer=blue_fraction,
                tolerance=0.02, hint="Count them with a mask, divide by the total."),
    )
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from dataclasses import dataclass, field

import ipywidgets as widgets

#: Longest answer text the checker reads; anything longer is refused, not parsed.
MAX_ANSWER_CHARS = 40

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: right or not, and a sentence that explains it."""

    correct: bool
    message: str


@dataclass(frozen=True)
class Choice:
    """One option of a multiple-choice question.

    Parameters
    ----------
    text : str
        The option as the learner reads it.
    correct : bool
        Whether choosing it is right.
    why : str
        Why it is right, or why it is wrong: shown when the learner picks it.
    """

    text: str
    correct: bool = False
    why: str = ""


@dataclass(frozen=True)
class MultipleChoice:
    """A question with options, exactly one of which is right.

    Parameters
    ----------
    question : str
        The question (plain text; Unicode for symbols such as σ or −).
    *choices : Choice
        The options, in the order shown.
    """

    question: str
    choices: tuple[Choice, ...]

    def __init__(self, question: str, *choices: Choice) -> None:
        if sum(choice.correct for choice in choices) != 1 or len(choices) < 2:
            raise ValueError(f"{question!r} needs two or more choices, exactly one correct")
        object.__setattr__(self, "question", question)
        object.__setattr__(self, "choices", tuple(choices))

    def check(self, picked: int | None) -> Feedback:
        """Judge the option at index ``picked`` (``None`` when nothing is chosen)."""
        if picked is None or not 0 <= picked < len(self.choices):
            return Feedback(False, "Choose one of the answers first.")
        choice = self.choices[picked]
        verdict = "Right." if choice.correct else "Not quite."
        return Feedback(choice.correct, f"{verdict} {choice.why}".strip())


@dataclass(frozen=True)
class Numeric:
    """A question answered with a number, right within a tolerance.

    Parameters
    ----------
    question : str
        The question; say the unit and the precision expected.
    answer : float
        The right value, best computed by the lesson rather than typed.
    tolerance : float
        Largest distance from ``answer`` that still counts as right.
    unit : str
        Unit shown after the answer box (``""`` for a pure number).
    why : str
        Explanation shown with a right answer.
    hint : str
        Shown with a wrong answer that is not one of the ``mistakes``.
    mistakes : dict
        ``{value: explanation}`` for answers a common slip leads to; an answer within
        ``tolerance`` of ``value`` is told its explanation.
    """

    question: str
    answer: float
    tolerance: float
    unit: str = ""
    why: str = ""
    hint: str = ""
    mistakes: dict[float, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        numbers = [self.answer, self.tolerance, *self.mistakes]
        if not all(math.isfinite(float(n)) for n in numbers) or self.tolerance < 0:
            raise ValueError(f"{self.question!r}: answer, tolerance and mistakes must be finite")
        object.__setattr__(self, "answer", float(self.answer))
        object.__setattr__(self, "tolerance", float(self.tolerance))
        object.__setattr__(self, "mistakes", {float(k): v for k, v in self.mistakes.items()})

    def check(self, typed: str) -> Feedback:
        """Judge the learner's typed answer."""
        value = parse_number(typed)
        if isinstance(value, str):
            return Feedback(False, value)
        if abs(value - self.answer) <= self.tolerance:
            return Feedback(True, f"Right. {self.why}".strip())
        for mistake, explanation in self.mistakes.items():
            if abs(value - mistake) <= self.tolerance:
                return Feedback(False, f"Not quite. {explanation}")
        direction = "too high" if value > self.answer else "too low"
        return Feedback(False, f"Not quite: that is {direction}. {self.hint}".strip())


Question = MultipleChoice | Numeric


def parse_number(typed: str) -> float | str:
    """The number in ``typed``, or a sentence saying what to type instead.

    Accepts ``0.45``, ``-3.3``, ``1.2e-3`` and ``45%`` (read as 0.45); a comma is not
    read as a decimal point, because ``1,000`` would be ambiguous.

    Examples
    --------
    >>> parse_number(" 2.5e1 "), parse_number("45%")
    (25.0, 0.45)
    >>> parse_number("about ten")
    'Type a number, such as 0.45 or 1.2e3.'
    """
    text = str(typed).strip()
    if len(text) > MAX_ANSWER_CHARS:
        return (
            f"That answer is too long: type just the number (under {MAX_ANSWER_CHARS} characters)."
        )
    percent = text.endswith("%")
    text = text.removesuffix("%").strip().replace("−", "-")
    if not _NUMBER.match(text):
        return "Type a number, such as 0.45 or 1.2e3."
    value = float(text) / (100 if percent else 1)
    if not math.isfinite(value):
        return "Type a number of ordinary size."
    return value


class Quiz(widgets.VBox):
    """Questions checked on the spot, in the kernel or, in the book, in the page.

    Parameters
    ----------
    *questions : MultipleChoice or Numeric
        The questions, numbered in this order.
    title : str
        Heading shown above the questions.
    """

    def __init__(self, *questions: Question, title: str = "Check yourself") -> None:
        if not questions:
            raise ValueError("a quiz needs at least one question")
        self.questions = questions
        self.title = title
        self.feedback = [widgets.HTML() for _ in questions]
        self.inputs = [self._input(q) for q in questions]
        children = [widgets.HTML(f"<h4>{html.escape(title)}</h4>")]
        for number, (question, answer, shown) in enumerate(
            zip(questions, self.inputs, self.feedback, strict=True), start=1
        ):
            check = widgets.Button(description="Check", tooltip=f"Check answer {number}")
            check.on_click(lambda _, i=number - 1: self.check(i))
            label = widgets.HTML(f"<p><b>{number}.</b> {html.escape(question.question)}</p>")
            controls = [answer, check]
            if isinstance(question, Numeric) and question.unit:
                controls.insert(1, widgets.Label(question.unit))
            row = widgets.HBox(controls, layout=widgets.Layout(flex_flow="row wrap"))
            children += [label, row, shown]
        super().__init__(children, layout=widgets.Layout(max_width="100%"))
        self.add_class("astrolearn-quiz")

    @staticmethod
    def _input(question: Question) -> widgets.Widget:
        if isinstance(question, MultipleChoice):
            return widgets.RadioButtons(
                options=[(c.text, i) for i, c in enumerate(question.choices)],
                value=None,
                layout=widgets.Layout(width="auto", max_width="100%"),
            )
        # Sent when the box loses focus, so before the click on Check that takes focus:
        # sent as typed, the last keystrokes could arrive after the click.
        return widgets.Text(
            placeholder="your answer",
            continuous_update=False,
            layout=widgets.Layout(width="12em"),
        )

    def check(self, index: int) -> Feedback:
        """Check the answer given to question ``index`` (from 0) and show the verdict."""
        question, answer = self.questions[index], self.inputs[index]
        verdict = question.check(answer.value)
        mark = "✓" if verdict.correct else "✗"
        colour = "#006400" if verdict.correct else "#8B0000"
        self.feedback[index].value = (
            f'<p role="status" style="color:{colour}"><span aria-hidden="true">{mark} </span>'
            f"{html.escape(verdict.message)}</p>"
        )
        return verdict

    def _repr_mimebundle_(self, **kwargs) -> dict:
        bundle = super()._repr_mimebundle_(**kwargs)
        # The book has no kernel: it shows this HTML, which its script checks.
        bundle["text/html"] = quiz_html(self.questions, self.title)
        return bundle


def quiz_html(questions: tuple[Question, ...], title: str) -> str:
    """The quiz as a form that the book's script (``astrolearn-site.js``) checks.

    Every string is escaped; the answers travel in ``data-`` attributes as JSON.
    """
    # Radio groups need page-unique names; the same quiz gets the same names every build.
    text = "\n".join([title, *(q.question for q in questions)])
    key = "q" + hashlib.sha256(text.encode()).hexdigest()[:10]
    parts = [f'<form class="astrolearn-quiz" aria-label="{html.escape(title)}">']
    parts.append(f"<h4>{html.escape(title)}</h4>")
    for number, question in enumerate(questions, start=1):
        name = f"{key}-{number}"
        if isinstance(question, MultipleChoice):
            data = [{"correct": c.correct, "why": c.why} for c in question.choices]
            options = "".join(
                f'<label><input type="radio" name="{name}" value="{i}"> '
                f"{html.escape(c.text)}</label>"
                for i, c in enumerate(question.choices)
            )
            body = f'<div class="quiz-options">{options}</div>'
            kind = "choice"
        else:
            data = {
                "answer": question.answer,
                "tolerance": question.tolerance,
                "why": question.why,
                "hint": question.hint,
                "mistakes": [[value, why] for value, why in question.mistakes.items()],
            }
            unit = f" {html.escape(question.unit)}" if question.unit else ""
            body = (
                f'<label>Your answer <input type="text" name="{name}" inputmode="decimal" '
                f'autocomplete="off" size="10"></label>{unit}'
            )
            kind = "number"
        parts.append(
            f'<fieldset class="quiz-question" data-kind="{kind}" '
            f"data-quiz='{html.escape(json.dumps(data), quote=True)}'>"
            f"<legend><b>{number}.</b> {html.escape(question.question)}</legend>{body} "
            f'<button type="button" class="quiz-check">Check</button>'
            f'<p class="quiz-feedback" role="status" aria-live="polite"></p></fieldset>'
        )
    parts.append("</form>")
    return "".join(parts)
