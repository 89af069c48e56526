// Loaded on every page: accessibility fixes for markup that Sphinx extensions write,
// and the quizzes' checks.
(function () {
  "use strict";

  // A block that scrolls sideways must be reachable by keyboard, so that its hidden
  // part can be scrolled into view (WCAG 2.1.1; axe: scrollable-region-focusable).
  // Whether a block scrolls depends on the final layout: the web fonts, the window's
  // width, widgets drawn late. pydata-sphinx-theme sets the same tab stops on resize
  // and DOM changes but not when fonts arrive, so a block can be left with
  // tabindex=-1 after a font widens it. Decide again whenever the layout can change.
  var SCROLLABLE = "pre, .cell_output > .output";

  function updateTabStops() {
    document.querySelectorAll(SCROLLABLE).forEach(function (block) {
      var scrolls = block.scrollWidth > block.clientWidth || block.scrollHeight > block.clientHeight;
      block.tabIndex = scrolls ? 0 : -1;
    });
  }

  function fixToggleNames() {
    // myst-nb's hide-input toggles say "Show code cell source" but carry the aria-label
    // "Toggle hidden content", so the spoken name differs from the visible one (WCAG
    // 2.5.3, axe: label-content-name-mismatch). The visible text is a good name: use it.
    document.querySelectorAll('summary[aria-label="Toggle hidden content"]').forEach(function (s) {
      s.removeAttribute("aria-label");
    });
  }

  // Quizzes (astrolearn.ui.Quiz) are checked here, without a kernel. The rules are
  // those of astrolearn/ui/quiz.py; tests/book/test_static_quiz.py checks both give the same
  // verdicts on the same answers.
  var MAX_ANSWER_CHARS = 40;
  var NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

  function parseNumber(typed) {
    var text = String(typed).trim();
    if (text.length > MAX_ANSWER_CHARS) {
      return "That answer is too long: type just the number (under " + MAX_ANSWER_CHARS + " characters).";
    }
    var percent = text.slice(-1) === "%";
    if (percent) text = text.slice(0, -1).trim();
    text = text.replace(/\u2212/g, "-");
    if (!NUMBER.test(text)) return "Type a number, such as 0.45 or 1.2e3.";
    var value = parseFloat(text) / (percent ? 100 : 1);
    if (!isFinite(value)) return "Type a number of ordinary size.";
    return value;
  }

  function joined(verdict, explanation) {
    return explanation ? verdict + " " + explanation : verdict;
  }

  function checkChoice(data, fieldset) {
    var picked = fieldset.querySelector("input[type=radio]:checked");
    if (!picked) return { correct: false, message: "Choose one of the answers first." };
    var choice = data[Number(picked.value)];
    return { correct: choice.correct, message: joined(choice.correct ? "Right." : "Not quite.", choice.why) };
  }

  function checkNumber(data, fieldset) {
    var value = parseNumber(fieldset.querySelector("input[type=text]").value);
    if (typeof value === "string") return { correct: false, message: value };
    if (Math.abs(value - data.answer) <= data.tolerance) {
      return { correct: true, message: joined("Right.", data.why) };
    }
    for (var i = 0; i < data.mistakes.length; i++) {
      if (Math.abs(value - data.mistakes[i][0]) <= data.tolerance) {
        return { correct: false, message: "Not quite. " + data.mistakes[i][1] };
      }
    }
    var direction = value > data.answer ? "too high" : "too low";
    return { correct: false, message: joined("Not quite: that is " + direction + ".", data.hint) };
  }

  function checkQuestion(fieldset) {
    var data = JSON.parse(fieldset.dataset.quiz);
    var verdict = fieldset.dataset.kind === "choice" ? checkChoice(data, fieldset) : checkNumber(data, fieldset);
    var feedback = fieldset.querySelector(".quiz-feedback");
    feedback.textContent = (verdict.correct ? "\u2713 " : "\u2717 ") + verdict.message;
    feedback.className = "quiz-feedback " + (verdict.correct ? "quiz-right" : "quiz-wrong");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("form.astrolearn-quiz .quiz-check");
    if (button) checkQuestion(button.closest("fieldset"));
  });
  // Enter in an answer box checks it rather than submitting the form.
  document.addEventListener("submit", function (event) {
    if (event.target.matches("form.astrolearn-quiz")) event.preventDefault();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("form.astrolearn-quiz input[type=text]")) {
      event.preventDefault();
      checkQuestion(event.target.closest("fieldset"));
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    fixToggleNames();
    updateTabStops();
    if (window.ResizeObserver) {
      var observer = new ResizeObserver(updateTabStops);
      document.querySelectorAll(SCROLLABLE).forEach(function (block) {
        observer.observe(block);
      });
    }
  });
  window.addEventListener("load", updateTabStops);
  window.addEventListener("resize", updateTabStops);
  if (document.fonts) {
    document.fonts.addEventListener("loadingdone", updateTabStops);
    document.fonts.ready.then(updateTabStops);
  }
})();
