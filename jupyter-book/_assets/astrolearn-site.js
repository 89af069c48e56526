// Accessibility fixes for markup that Sphinx extensions write (loaded on every page).
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
