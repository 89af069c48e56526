/*
 * Keeps bqplot's brush and lasso selectors working on bqplot-gl's WebGL marks.
 *
 * Two mismatches between bqplot 0.13 and bqplot-gl 0.1.1, measured in Chromium:
 *
 * 1. bqplot-gl offers its own bundled copy of d3 5.16.0 to the page's shared modules,
 *    and it wins over bqplot's copy of the same version. bqplot's selectors then read
 *    the current d3 event from bqplot's d3-selection, which that copy never writes to;
 *    they fall back to window.event, the browser's plain mouse event, and a brush never
 *    reaches the kernel. Fix: window.event answers with the d3 event that a loaded d3
 *    module is dispatching (the browser's own event otherwise).
 * 2. bqplot-gl asks a lasso "which of these points are inside?" with two arrays of
 *    pixel coordinates; bqplot's lasso answers for one [x, y] point at a time, so every
 *    answer is "no". Fix: the lasso's test is given to WebGL marks in both forms.
 *
 * Both fixes apply only to the versions measured to need them (AFFECTED: bqplot's front
 * end 0.6, that is bqplot 0.13, beside bqplot-gl 0.1), checked when bqplot or d3 loads,
 * once every extension has offered its modules. Other versions are left alone, so an
 * upgrade that fixes either side turns the workaround off instead of patching code it
 * was not written for (tests/browser/test_d3_event_guard.py).
 *
 * Besides, it adds astrolearn's toggle-state script and style to the page (served by the
 * Jupyter server beneath {baseUrl}astrolearn/static/, see astrolearn/static_files.py):
 * ipywidgets shows which toggle button is on by its shade alone, and these say it to
 * screen readers (aria-pressed) and draw it as bold text and a bar, as in the apps and
 * the book.
 *
 * And it takes the tablist role from nbgrader's list of downloaded assignments, which
 * holds no tab (see watchNbgraderPanel; tests/browser/test_nbgrader_list_role.py).
 *
 * The container has no plugins: it only watches the page's shared modules for d3 and
 * bqplot being loaded, and the page for nbgrader's panel being added. Hand-written, no build step; a federated extension only needs a
 * global container with init() and get().
 */
var _JUPYTERLAB;
(function () {
  "use strict";
  const loadedD3 = new Set();
  // Shared module name -> the version prefix (major.minor) that needs the fixes.
  const AFFECTED = { bqplot: "0.6.", "bqplot-gl": "0.1." };

  // True when the page's shared modules include an affected version of each package.
  function affected(scope) {
    return Object.entries(AFFECTED).every(([name, prefix]) =>
      Object.keys((scope && scope[name]) || {}).some((version) => version.startsWith(prefix)),
    );
  }

  function whenLoaded(entry, use) {
    if (!entry || typeof entry.get !== "function" || entry.astrolearnWatched) {
      return entry;
    }
    const get = entry.get;
    const wrap = (factory) => () => {
      const module = factory();
      use(module);
      return module;
    };
    entry.get = function () {
      const factory = get.apply(this, arguments);
      return factory && typeof factory.then === "function" ? factory.then(wrap) : wrap(factory);
    };
    entry.astrolearnWatched = true;
    return entry;
  }

  function watchShared(scope, name, use) {
    const versions = scope[name] || {};
    Object.keys(versions).forEach((version) => whenLoaded(versions[version], use));
    scope[name] = new Proxy(versions, {
      set(target, version, entry) {
        target[version] = whenLoaded(entry, use);
        return true;
      },
    });
  }

  function answerWindowEventWithD3() {
    const browserEvent = Object.getOwnPropertyDescriptor(window, "event");
    if (!browserEvent || !browserEvent.get || !browserEvent.configurable) {
      return;
    }
    Object.defineProperty(window, "event", {
      configurable: true,
      enumerable: browserEvent.enumerable,
      get() {
        for (const d3 of loadedD3) {
          if (d3.event) {
            return d3.event;
          }
        }
        return browserEvent.get.call(window);
      },
      set(value) {
        if (browserEvent.set) {
          browserEvent.set.call(window, value);
        }
      },
    });
  }

  function answerLassoForArrays(bqplot) {
    const Lasso = bqplot && bqplot.LassoSelector;
    if (!Lasso || Lasso.prototype.astrolearnArrays) {
      return;
    }
    const update = Lasso.prototype.update_mark_selected;
    Lasso.prototype.update_mark_selected = function () {
      const views = Object.values(this.mark_views || {});
      const originals = views.map((view) => view.selector_changed);
      views.forEach((view, index) => {
        view.selector_changed = function (pointInside, rectangleInside) {
          const inside =
            pointInside &&
            function (x, y) {
              return y === undefined ? pointInside(x) : Array.from(x, (xi, i) => pointInside([xi, y[i]]));
            };
          return originals[index].call(this, inside, rectangleInside);
        };
      });
      try {
        return update.apply(this, arguments);
      } finally {
        views.forEach((view, index) => {
          view.selector_changed = originals[index];
        });
      }
    };
    Lasso.prototype.astrolearnArrays = true;
  }

  // The toggle-state files, from the server's base URL in the page's configuration (a
  // page without one, such as a test page, gets none; an app's page has them already).
  function addToggleState() {
    const config = document.getElementById("jupyter-config-data");
    const base = config && JSON.parse(config.textContent).baseUrl;
    const root = typeof base === "string" && base.replace(/\/?$/, "/") + "astrolearn/static/";
    if (!root || document.querySelector('link[href$="astrolearn/static/toggle-state.css"]')) {
      return;
    }
    const style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = root + "toggle-state.css";
    const script = document.createElement("script");
    script.src = root + "toggle-state.js";
    document.head.append(style, script);
  }

  // nbgrader's Assignments panel (0.9) marks its list of downloaded assignments as a
  // tablist, left from a Bootstrap accordion, but puts no tab in it: an assignment's name
  // is a button that shows its notebooks (aria-expanded, aria-controls). A tablist
  // without tabs is a broken widget to a screen reader and to axe-core
  // (aria-required-children), so that list loses the role if it holds no tab when it is
  // added to the page; the rows keep their own roles. The panel is drawn whole before it
  // is added, so watching added nodes finds it; a list with a real tab is left alone.
  const NBGRADER_TABLIST = '#fetched_assignments_list[role="tablist"]';
  function dropTablistWithoutTabs(node) {
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const lists = node.matches(NBGRADER_TABLIST) ? [node] : [];
    lists.push(...node.querySelectorAll(NBGRADER_TABLIST));
    lists
      .filter((list) => !list.querySelector('[role="tab"]'))
      .forEach((list) => {
        list.removeAttribute("role");
        list.removeAttribute("aria-multiselectable");
      });
  }
  function watchNbgraderPanel() {
    new MutationObserver((records) => {
      records.forEach((record) => record.addedNodes.forEach(dropTablistWithoutTabs));
    }).observe(document.body, { childList: true, subtree: true });
    dropTablistWithoutTabs(document.body);
  }

  _JUPYTERLAB = typeof _JUPYTERLAB === "undefined" ? {} : _JUPYTERLAB;
  _JUPYTERLAB["@astrolearn/d3-event"] = {
    init(scope) {
      watchShared(scope, "d3", (d3) => affected(scope) && loadedD3.add(d3));
      watchShared(scope, "bqplot", (bqplot) => affected(scope) && answerLassoForArrays(bqplot));
      answerWindowEventWithD3();
      addToggleState();
      watchNbgraderPanel();
    },
    affected,
    get() {
      return Promise.resolve(() => ({ __esModule: true, default: [] }));
    },
  };
})();
