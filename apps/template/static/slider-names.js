// Gives every widget slider's handle the name its description shows.
//
// ipywidgets draws a slider as a noUiSlider handle (role="slider") beside a <label>
// that names nothing, so a screen reader announces "slider" alone and axe-core reports
// a serious violation (aria-input-field-name). Each handle is pointed at its label
// with aria-labelledby as soon as it appears.
(function () {
  "use strict";
  let count = 0;

  function name(root) {
    for (const handle of root.querySelectorAll(".widget-slider .noUi-handle:not([aria-labelledby])")) {
      const label = handle.closest(".widget-slider").querySelector(":scope > .widget-label");
      if (!label || !label.textContent.trim()) continue;
      if (!label.id) label.id = "al-slider-name-" + ++count;
      handle.setAttribute("aria-labelledby", label.id);
    }
  }

  new MutationObserver(() => name(document)).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
})();
