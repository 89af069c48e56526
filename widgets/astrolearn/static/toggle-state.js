// ipywidgets shows which toggle is on by its shade alone (the class mod-active) and
// tells assistive technology nothing. Mirror that class to aria-pressed, which screen
// readers announce and toggle-state.css draws as a mark that is not a colour.
// Loaded by the apps' Voila template, the book's pages and JupyterLab (see
// astrolearn/static_files.py); a page that loads it twice watches once.
(() => {
  if (globalThis.__astrolearnToggleState) return;
  globalThis.__astrolearnToggleState = true;
  const TOGGLES = "button.widget-toggle-button";
  const mark = (button) => {
    const pressed = String(button.classList.contains("mod-active"));
    if (button.getAttribute("aria-pressed") !== pressed) {
      button.setAttribute("aria-pressed", pressed);
    }
  };
  const markAll = (node) => {
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    if (node.matches(TOGGLES)) mark(node);
    node.querySelectorAll(TOGGLES).forEach(mark);
  };
  new MutationObserver((records) => {
    for (const record of records) {
      // A class changed: only that element can have become (un)pressed.
      if (record.type === "attributes") {
        if (record.target.matches(TOGGLES)) mark(record.target);
      } else record.addedNodes.forEach(markAll);
    }
  }).observe(document.documentElement, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["class"],
  });
  // Toggles drawn before this script ran (JupyterLab loads it after the page).
  markAll(document.documentElement);
})();
