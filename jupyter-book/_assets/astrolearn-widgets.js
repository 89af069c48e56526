// Loaded on pages that embed widgets, after require.js and before html-manager.
// Three fixes, each explained below: local module paths, slider names, MathJax 3.
(function () {
  "use strict";
  var base = document.currentScript.src.replace(/[^/]*$/, "") + "widgets/";

  // 1. Tell require.js where the vendored widget front-ends live (next to this file), so
  //    html-manager loads bqplot, bqplot-gl, bqscales and anywidget from the site itself
  //    instead of a CDN. The base comes from this script's own address, so it works at
  //    any page depth and from file:// URLs. The "@jupyter-widgets" paths make the
  //    bundle's fonts (resolved relative to its module ids) load from the same folder.
  var paths = {
    "@jupyter-widgets": base + "html-manager",
    "@jupyter-widgets/html-manager/dist": base + "html-manager",
  };
  ["bqplot", "bqplot-gl", "bqscales", "anywidget"].forEach(function (name) {
    paths[name] = base + name + "/index";
  });
  window.requirejs.config({ paths: paths });

  // 2. ipywidgets' sliders render a handle with role="slider" but no accessible name
  //    (axe: aria-input-field-name); name each handle after its widget's description.
  function nameSliders(root) {
    root.querySelectorAll(".noUi-handle:not([aria-label])").forEach(function (handle) {
      var widget = handle.closest(".widget-slider, .jupyter-widgets");
      var label = widget && widget.querySelector(".widget-label");
      var text = label && label.textContent.trim();
      handle.setAttribute("aria-label", text || "slider");
    });
  }
  new MutationObserver(function () {
    nameSliders(document);
  }).observe(document.documentElement, { childList: true, subtree: true });

  // 3. html-manager typesets widget labels with the MathJax 2 API
  //    (MathJax.Hub.Queue) whenever window.MathJax exists; Sphinx loads MathJax 3, which
  //    has no Hub, so every labelled widget threw a TypeError. Give each MathJax object
  //    (Sphinx's config object first, then MathJax 3 itself, which replaces it) a small
  //    Hub whose Queue typesets with MathJax 3. It is non-enumerable so MathJax does not
  //    read it as configuration.
  var hub = {
    Queue: function (job) {
      var element = job && job[2];
      var mathjax = window.MathJax;
      if (element && mathjax && typeof mathjax.typesetPromise === "function") {
        mathjax.typesetPromise([element]).catch(function () {});
      }
    },
  };
  function addHub(mathjax) {
    if (mathjax && typeof mathjax === "object" && !("Hub" in mathjax)) {
      Object.defineProperty(mathjax, "Hub", { value: hub, configurable: true });
    }
  }
  var current = window.MathJax;
  addHub(current);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: function () {
      return current;
    },
    set: function (value) {
      current = value;
      addHub(value);
    },
  });
})();
