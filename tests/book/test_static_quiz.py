"""Quizzes on the static site: checked in the page without a kernel, as in the notebook.

A one-lesson book is built with the project's settings; real Chromium (network cut)
answers its quiz by mouse and by keyboard, at phone and desktop width. The page's
script and ``astrolearn.ui.quiz`` must give the same verdict on the same answers.
"""

from __future__ import annotations

import pytest
from astrolearn.ui.quiz import MAX_ANSWER_CHARS, Choice, MultipleChoice, Numeric
from bookutil import build_one_page_book

from tests.apps.conftest import serious_axe_violations

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

LESSON = """\
# A quiz

```{code-cell} ipython3
from astrolearn.ui import Choice, MultipleChoice, Numeric, Quiz

half = 1 / 2
Quiz(
    MultipleChoice(
        "Which survey is optical?",
        Choice("Fermi", why="Fermi sees gamma rays."),
        Choice("SDSS", correct=True, why="SDSS images in ugriz."),
        Choice("2MASS", why="2MASS sees the near infrared."),
    ),
    Numeric("What is one half?", answer=half, tolerance=0.01, unit="of a whole",
            why="One of two equal parts.", hint="Divide 1 by 2.",
            mistakes={2.0: "That is 2 / 1, the other way round."}),
)
```
"""

#: The question the parity test asks both checkers (it matches the lesson's second one).
HALF = Numeric(
    "What is one half?",
    answer=0.5,
    tolerance=0.01,
    unit="of a whole",
    why="One of two equal parts.",
    hint="Divide 1 by 2.",
    mistakes={2.0: "That is 2 / 1, the other way round."},
)
SURVEY = MultipleChoice(
    "Which survey is optical?",
    Choice("Fermi", why="Fermi sees gamma rays."),
    Choice("SDSS", correct=True, why="SDSS images in ugriz."),
    Choice("2MASS", why="2MASS sees the near infrared."),
)
TYPED = [
    "0.5", "0.509", "0.52", "0.2", "50%", "−0.5", "2", "2.005", "", "half", "1,5",
    "nan", "Infinity", "1e999", "0x1", ".5", "5e-1", "1" * (MAX_ANSWER_CHARS + 1),
    "<b>0.5</b>",
]  # fmt: skip


@pytest.fixture(scope="module")
def quiz_page(tmp_path_factory):
    built = build_one_page_book(tmp_path_factory.mktemp("quiz-book"), "quiz", LESSON)
    assert built.returncode == 0, built.log[-3000:]
    return built.html / "quiz.html"


@pytest.fixture
def page(browser, quiz_page):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.goto(quiz_page.as_uri())
    page.wait_for_selector("form.astrolearn-quiz")
    yield page
    context.close()
    assert errors == []


def _feedback(page, number: int) -> str:
    return page.locator("form.astrolearn-quiz .quiz-feedback").nth(number).inner_text()


def test_the_site_shows_the_form_not_a_dead_widget(quiz_page):
    html = quiz_page.read_text(encoding="utf-8")
    assert html.count('<form class="astrolearn-quiz"') == 1
    assert "Which survey is optical?" in html
    assert 'type="application/vnd.jupyter.widget-view+json"' not in html
    assert "correct=True" not in html, "the quiz's code, which holds its answers, is shown"


def test_a_wrong_choice_is_told_why_and_the_right_one_is_marked(page):
    page.get_by_label("Fermi").check()
    page.get_by_role("button", name="Check").first.click()
    assert _feedback(page, 0) == "✗ Not quite. Fermi sees gamma rays."
    page.get_by_label("SDSS").check()
    page.get_by_role("button", name="Check").first.click()
    assert _feedback(page, 0) == "✓ Right. SDSS images in ugriz."


def test_keyboard_only(page):
    page.keyboard.press("Tab")
    for _ in range(60):  # past the theme's links, to the first option
        if page.evaluate("document.activeElement.name || ''").endswith("-1"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # radio groups move with the arrows
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert _feedback(page, 0) == "✓ Right. SDSS images in ugriz."
    page.keyboard.press("Tab")
    page.keyboard.type("2")
    page.keyboard.press("Enter")  # Enter in the box checks, it does not reload the page
    assert _feedback(page, 1) == "✗ Not quite. That is 2 / 1, the other way round."


def test_the_page_and_the_kernel_give_the_same_verdicts(page):
    box = page.get_by_label("Your answer")
    check = page.get_by_role("button", name="Check").nth(1)
    for typed in TYPED:
        box.fill(typed)
        check.click()
        verdict = HALF.check(typed)
        assert _feedback(page, 1) == ("✓ " if verdict.correct else "✗ ") + verdict.message, typed
    page.get_by_role("button", name="Check").first.click()  # nothing chosen yet
    assert _feedback(page, 0) == "✗ " + SURVEY.check(None).message


@pytest.mark.parametrize("width", [390, 1280])
def test_fits_the_screen_touch_sized_and_accessible(browser, quiz_page, width):
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    page.goto(quiz_page.as_uri())
    page.wait_for_selector("form.astrolearn-quiz")
    page.get_by_label("Fermi").check()
    page.get_by_role("button", name="Check").first.click()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    heights = page.eval_on_selector_all(
        "form.astrolearn-quiz :is(.quiz-options label, button, input[type=text])",
        "els => els.map(e => e.getBoundingClientRect().height)",
    )
    assert min(heights) >= 44
    assert serious_axe_violations(page) == []
    context.close()
