// Accessibility fixes for markup that Sphinx extensions write (loaded on every page).
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  // myst-nb's hide-input toggles say "Show code cell source" but carry the aria-label
  // "Toggle hidden content", so the spoken name differs from the visible one (WCAG 2.5.3,
  // axe: label-content-name-mismatch). The visible text is a good name: use it.
  document.querySelectorAll('summary[aria-label="Toggle hidden content"]').forEach(function (s) {
    s.removeAttribute("aria-label");
  });
  // Code blocks that scroll sideways must be reachable by keyboard
  // (axe: scrollable-region-focusable).
  document.querySelectorAll("div.highlight pre").forEach(function (pre) {
    if (pre.scrollWidth > pre.clientWidth && !pre.hasAttribute("tabindex")) {
      pre.setAttribute("tabindex", "0");
    }
  });
});
