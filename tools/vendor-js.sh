#!/usr/bin/env bash
# Vendor Aladin Lite for the offline sky viewer (astrolearn.ui.SkyViewer).
#
# ipyaladin's widget.js imports Aladin Lite from a CDN at run time, so offline the sky
# viewer is blank. This script takes the aladin-lite version ipyaladin pins, fetches that
# package from the npm registry, and writes into widgets/astrolearn/static/:
#   aladin-lite.js          Aladin Lite itself (one self-contained ES module, WASM inline)
#   aladin-widget.js        ipyaladin's widget code, loading Aladin Lite from the former
#   aladin-widget.css       ipyaladin's stylesheet
#   aladin-lite-LICENSE.txt, aladin-lite-COPYING.txt   Aladin Lite's licence (LGPL-3.0+)
# The results are committed, so installing astrolearn never needs npm. Each patch below
# must match exactly once, or the script stops: a new ipyaladin must be checked by hand.
#
# Usage:  bash tools/vendor-js.sh   (needs npm and the project's Python with ipyaladin)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$repo/.venv/bin/python}"
static="$repo/widgets/astrolearn/static"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

widget_dir="$("$python" -c 'import ipyaladin, pathlib; print(pathlib.Path(ipyaladin.__file__).parent / "static")')"
ipyaladin_version="$("$python" -c 'import ipyaladin; print(ipyaladin.__version__)')"
# The version is read from the CDN import itself, so library and widget code match.
aladin_version="$(grep -o 'esm[.]sh/aladin-lite@[0-9A-Za-z.-]*' "$widget_dir/widget.js" | head -1 | cut -d@ -f2)"
if [ -z "$aladin_version" ]; then
  echo "vendor-js: no aladin-lite import found in $widget_dir/widget.js (ipyaladin changed?)" >&2
  exit 1
fi

(cd "$work" && npm pack --silent "aladin-lite@$aladin_version" >/dev/null && tar xzf ./*.tgz)
mkdir -p "$static"

ALADIN_JS="$work/package/dist/aladin.js" WIDGET_JS="$widget_dir/widget.js" STATIC="$static" \
VERSIONS="aladin-lite $aladin_version (npm, LGPL-3.0-or-later), ipyaladin $ipyaladin_version (BSD-3-Clause)" \
  "$python" - <<'PY'
"""Patch Aladin Lite and ipyaladin's widget code for offline use; write both modules."""
import os
import re
from pathlib import Path

aladin = Path(os.environ["ALADIN_JS"]).read_text()
widget = Path(os.environ["WIDGET_JS"]).read_text()
N = r"[\w$]+"  # a minified JavaScript name


def sub_once(pattern, replacement, text, what):
    new, count = re.subn(pattern, replacement, text)
    if count != 1:
        raise SystemExit(f"vendor-js: expected one match for {what}, found {count}")
    return new


# --- Aladin Lite -------------------------------------------------------------------
# It always sets a base survey at start (a CDS server, retried forever when offline);
# with neither survey nor surveyUrl it now starts without one...
aladin = sub_once(rf"else\{{let ({N});if\(Array\.isArray\(({N})\.surveyUrl\)\)",
                  r"else if(\2.surveyUrl){let \1;if(Array.isArray(\2.surveyUrl))",
                  aladin, "the default survey of Aladin Lite")
# ...and the view's WCS must then not assume that a base layer exists yet.
for attribute in ("longitudeReversed", r"isPlanetaryBody\(\)"):
    aladin = sub_once(rf"this\.getBaseImageLayer\(\)\.{attribute}",
                      lambda m: m.group(0).replace("().", "()?."), aladin,
                      f"getBaseImageLayer().{attribute}")

# --- ipyaladin's widget code ---------------------------------------------------------
# No CDN import: Aladin Lite arrives later (see render below).
match = re.search(rf'import ({N}) from"https://esm\.sh/aladin-lite@[^"]+";var ({N})=\1;', widget)
if not match:
    raise SystemExit("vendor-js: the CDN import of aladin-lite was not found")
library = match.group(2)
widget = widget.replace(match.group(0), f"var {library};")
# An empty survey means "no HiPS": offline, the CDS servers would be retried forever.
widget = sub_once(rf"survey:({N})=>\{{this\.aladin\.setImageSurvey\(\1\)\}}",
                  r"survey:\1=>{\1&&this.aladin.setImageSurvey(\1)}", widget,
                  "the survey handler")
# add_fits(..., as_base=True) makes the FITS image the base layer (no survey needed).
widget = sub_once(
    rf"this\.aladin\.setOverlayImageLayer\(({N}),({N})\.name\)\}}handleAddCatalogFromURL",
    r"\2.asBase?this.aladin.setBaseImageLayer(\1):this.aladin.setOverlayImageLayer(\1,\2.name)}"
    r"handleAddCatalogFromURL",
    widget, "the add_fits layer call",
)
# add_fits(..., keep_view=True) leaves the view where it is (ipyaladin centres it on
# the image), so a catalog elsewhere on the sky stays in view.
widget = sub_once(
    rf"createImageFITS\(({N}),({N}),\(({N}),({N})\)=>\{{this\.aladin\.gotoRaDec\(\3,\4\),",
    r"createImageFITS(\1,\2,(\3,\4)=>{\2.keepView||this.aladin.gotoRaDec(\3,\4),",
    widget, "the FITS re-centring",
)
# anywidget abandons a widget whose module + initialize() take over 2 s; parsing 2.6 MB
# and compiling Aladin Lite's WebAssembly can take that long on a busy laptop. So the
# module stays small, and render() (which may be async, with no time limit) imports
# Aladin Lite as a static file (astrolearn/static_files.py: a URL named by its content,
# cached by the browser, imported once per page), then waits until the element is on
# the page with a width: Aladin Lite measures its canvas at creation. On a page opened
# from disk there is no Aladin Lite (__astrolearnLoad below gives null): render() ends.
widget = sub_once(
    rf"async function ({N})\(\{{model:({N})\}}\)\{{await {re.escape(library)}\.init\}}"
    rf"function ({N})\(\{{model:({N}),el:({N})\}}\)\{{",
    rf"async function \1({{model:\2}}){{}}async function \3({{model:\4,el:\5}}){{"
    rf"if(!({library}=await __astrolearnLoad(\4,\5)))return;await {library}.init;"
    rf"await __astrolearnShown(\5);",
    widget, "initialize() and render()",
)
# The synced trait `_layers` (HiPS image layers with opacities, astrolearn.ui.sky) is
# applied like ipyaladin's own traits: at render, then on every change.
widget = sub_once(
    rf"overlay_survey_opacity:({N})=>\{{let ({N})=this\.aladin\.getOverlayImageLayer\(\);"
    rf"\2&&\2\.setOpacity\(\1\)\}}\}}",
    lambda m: m.group(0)[:-1] + f",_layers:e=>__astrolearnLayers({library},this.aladin,e)}}",
    widget, "the overlay opacity handler",
)
if re.search(r"https://(esm\.sh|unpkg\.com|cdn\.jsdelivr\.net|cdnjs)", widget):
    raise SystemExit("vendor-js: the widget code still imports from a CDN")

helpers = (
    # Where astrolearn's static files are: beneath the server's base URL in JupyterLab
    # and Voila (their page config), beneath the content root's _static in the book.
    "const __astrolearnRoot=()=>{const c=document.getElementById('jupyter-config-data');"
    "if(c){try{const b=JSON.parse(c.textContent).baseUrl;if(typeof b==='string')return new "
    "URL(b.replace(/\\/?$/,'/')+'astrolearn/',location.href).href}catch(e){}}return new URL("
    "(document.documentElement.dataset.content_root??'./')+'_static/astrolearn/',"
    "location.href).href;};\n"
    "const __astrolearnShown=(el)=>new Promise((resolve)=>{const check=()=>"
    "el.isConnected&&el.clientWidth>0?resolve():setTimeout(check,50);check();});\n"
    # A page opened from disk (file://) cannot import Aladin Lite or read tiles into
    # WebGL; the viewer's place then says so, and how to serve the site instead.
    "const __astrolearnOnDisk=(el)=>{const root=new URL(document.documentElement.dataset"
    ".content_root??'./',location.href).pathname;let folder=decodeURIComponent(root);"
    "if(/^.[A-Za-z]:/.test(folder))folder=folder.slice(1);const page='http://localhost:8000/'"
    "+location.pathname.slice(root.length);const part=(tag,text)=>{const e=document"
    ".createElement(tag);e.textContent=text;return e};const link=part('a',page);link.href=page;"
    "const last=part('p','then open ');last.append(link,'.');const note=part('div','');"
    "note.className='astrolearn-sky-on-disk';note.setAttribute('role','note');note.append("
    "part('p','The sky viewer cannot start here: this page was opened from a file on disk, "
    "and browsers do not let such a page load the viewer or its sky images.'),part('p',"
    "'To see the sky, serve the site from its folder. In a terminal, run'),part('pre',"
    "`python -m http.server --directory \"${folder}\"`),last);el.replaceChildren(note)};\n"
    # Null: there is no Aladin Lite to draw with, and render() stops there.
    "const __astrolearnLoad=async(model,el)=>{if(location.protocol==='file:'){"
    "__astrolearnOnDisk(el);return null}const url=__astrolearnRoot()+"
    "model.get('_aladin_lite_path');globalThis.__astrolearnAladinLite??=import(url)"
    ".then((m)=>m.default);try{return await globalThis.__astrolearnAladinLite}catch(error)"
    "{globalThis.__astrolearnAladinLite=undefined;el.textContent="
    "`The sky viewer could not load Aladin Lite from ${url}.`;throw error}};\n"
    # Layers are named; a layer whose URL changed is made anew, the others only take
    # their new opacity. Relative URLs are astrolearn's local tile sets.
    "const __astrolearnLayers=(A,aladin,layers)=>{const shown=aladin.__astrolearnShown??="
    "new Map();const root=__astrolearnRoot();for(const [name,url] of [...shown])"
    "if(!layers.some((x)=>x.name===name&&x.url===url)){aladin.removeImageLayer(name);"
    "shown.delete(name)}for(const x of layers){let layer=aladin.getOverlayImageLayer(x.name);"
    "if(shown.get(x.name)!==x.url||!layer){layer=aladin.setOverlayImageLayer(A.imageHiPS("
    "new URL(x.url,root).href,{name:x.title}),x.name);shown.set(x.name,x.url)}"
    "layer.setOpacity(x.opacity)}};\n"
)
header = (
    "/* Written by astrolearn's tools/vendor-js.sh from {what}: {versions}.\n"
    " * Aladin Lite licence: aladin-lite-LICENSE.txt and aladin-lite-COPYING.txt. */\n"
)
versions = os.environ["VERSIONS"]
static = Path(os.environ["STATIC"])
(static / "aladin-lite.js").write_text(header.format(what="npm aladin-lite", versions=versions)
                                       + aladin)
(static / "aladin-widget.js").write_text(header.format(what="ipyaladin's widget.js",
                                                       versions=versions) + helpers + widget)
PY
cp "$widget_dir/widget.css" "$static/aladin-widget.css"
cp "$work/package/LICENSE" "$static/aladin-lite-LICENSE.txt"
cp "$work/package/COPYING" "$static/aladin-lite-COPYING.txt"
echo "vendor-js: wrote $static (aladin-lite $aladin_version, ipyaladin $ipyaladin_version)"
