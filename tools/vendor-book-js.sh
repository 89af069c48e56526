#!/usr/bin/env bash
# Vendor the JavaScript that the course website needs to show live widgets with no CDN.
#
# Jupyter Book 1 (myst-nb) loads require.js and @jupyter-widgets/html-manager from CDNs by
# default, and html-manager fetches every third-party widget module (bqplot, anywidget,
# ...) from a CDN too; Sphinx loads MathJax from a CDN. This script copies them into
# jupyter-book/_assets/ (widgets/, mathjax/) so the built site works offline; the result is
# committed, so a book build needs no npm. (_assets/, not _static/: Jupyter Book 1 adds
# every .js file under _static/ to every page.)
#
#   bash tools/vendor-book-js.sh            # refresh the vendored files
#
# Sources:
# - npm: requirejs, @jupyter-widgets/html-manager, mathjax (formulas), anywidget (its
#   dist/index.js is the AMD module html-manager loads), axe-core (accessibility audit,
#   test-only, into tests/book/vendor/).
# - the installed Python packages bqplot, bqplot-gl and bqscales: their front-end
#   versions (bqplot ^0.6) are not on the npm registry we can reach, and the AMD bundle
#   each wheel ships (share/jupyter/nbextensions/<name>/index.js) is the build that
#   exactly matches the Python side. Set PYTHON to choose the environment.
set -euo pipefail

REQUIREJS_VERSION=2.3.8
HTML_MANAGER_VERSION=1.0.15   # ipywidgets 8 (widget protocol 2)
ANYWIDGET_VERSION=0.11.0      # must match the Python anywidget's _model_module_version
AXE_CORE_VERSION=4.14.1
MATHJAX_VERSION=3.2.2         # Sphinx loads MathJax 3 from a CDN by default

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
dest="$root/jupyter-book/_assets/widgets"
axe_dest="$root/tests/book/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() { # fetch NAME@VERSION -> unpacked folder path on stdout
  local spec="$1" dir
  dir="$work/$(echo "$spec" | tr '/@' '__')"
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$spec" >/dev/null && tar xzf ./*.tgz)
  echo "$dir/package"
}

rm -rf "$dest"
mkdir -p "$dest" "$axe_dest"

pkg="$(fetch "requirejs@$REQUIREJS_VERSION")"
cp "$pkg/require.js" "$dest/require.js"
licenses="requirejs $REQUIREJS_VERSION (npm): MIT\n"

pkg="$(fetch "@jupyter-widgets/html-manager@$HTML_MANAGER_VERSION")"
mkdir -p "$dest/html-manager"
cp "$pkg/dist/embed-amd.js" "$dest/html-manager/"
# Fonts (Font Awesome, Lato) that the bundle's CSS loads relative to itself. Chromium,
# Firefox and Safari request woff2, woff and (two icon fonts) ttf; the eot/svg fallbacks
# for old browsers are left out (1.2 MB).
cp "$pkg"/dist/*.woff2 "$pkg"/dist/*.woff "$pkg"/dist/*.ttf "$dest/html-manager/"
licenses+="@jupyter-widgets/html-manager $HTML_MANAGER_VERSION (npm): BSD-3-Clause\n"

pkg="$(fetch "anywidget@$ANYWIDGET_VERSION")"
mkdir -p "$dest/anywidget"
cp "$pkg/dist/index.js" "$dest/anywidget/index.js"
licenses+="anywidget $ANYWIDGET_VERSION (npm): MIT\n"

nbext="$("$python" -c 'import sys; print(sys.prefix)')/share/jupyter/nbextensions"
for name in bqplot bqplot-gl bqscales; do
  test -f "$nbext/$name/index.js" || { echo "missing $nbext/$name/index.js: pip install $name" >&2; exit 1; }
  mkdir -p "$dest/$name"
  cp "$nbext/$name/index.js" "$dest/$name/index.js"
  test -f "$nbext/$name/index.js.LICENSE.txt" && cp "$nbext/$name/index.js.LICENSE.txt" "$dest/$name/"
  version="$("$python" -c "from importlib.metadata import version; print(version('$name'))")"
  licenses+="$name $version (front-end bundle from the Python wheel): Apache-2.0\n"
done

# MathJax: the CommonHTML build, its web fonts, the TeX extensions it autoloads and the
# accessibility/menu parts; the 4 MB speech-rule engine (sre/) is left out.
pkg="$(fetch "mathjax@$MATHJAX_VERSION")"
mathjax="$root/jupyter-book/_assets/mathjax"
rm -rf "$mathjax"
mkdir -p "$mathjax/output/chtml/fonts" "$mathjax/input/tex"
cp "$pkg/es5/tex-chtml.js" "$mathjax/"
cp -r "$pkg/es5/output/chtml/fonts/woff-v2" "$mathjax/output/chtml/fonts/"
cp -r "$pkg/es5/input/tex/extensions" "$mathjax/input/tex/"
cp -r "$pkg/es5/a11y" "$pkg/es5/ui" "$mathjax/"
cp "$pkg/LICENSE" "$mathjax/LICENSE"
licenses+="mathjax $MATHJAX_VERSION (npm, in ../mathjax): Apache-2.0\n"

pkg="$(fetch "axe-core@$AXE_CORE_VERSION")"
cp "$pkg/axe.min.js" "$axe_dest/axe.min.js"
cp "$pkg/LICENSE" "$axe_dest/axe-core.LICENSE"
printf "axe-core %s (npm): MPL-2.0, see axe-core.LICENSE\n" "$AXE_CORE_VERSION" >"$axe_dest/VERSIONS.txt"

printf "Vendored by tools/vendor-book-js.sh; do not edit.\n$licenses" >"$dest/VERSIONS.txt"
du -sh "$dest" "$mathjax" "$axe_dest"
