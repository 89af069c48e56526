"""Write an .ipynb next to every MyST Markdown notebook under the given folders.

A Markdown file is a notebook when its front matter names a ``kernelspec`` (jupytext's
``md:myst`` format); other Markdown (README, notes) is left alone. Used by ``postBuild``
and by the tests of ``binder/``.

Example: ``python binder/convert_notebooks.py lessons apps``
"""

from __future__ import annotations

import sys
from pathlib import Path

from astrolearn.notebooks import write_ipynb


def is_myst_notebook(path: Path) -> bool:
    """True when ``path`` starts with front matter that contains a kernelspec."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return False
    front_matter = text.split("---", 2)[1]
    return "kernelspec:" in front_matter


def convert(folders: list[str]) -> list[Path]:
    """Convert every MyST notebook under ``folders``; return the written notebooks."""
    written = []
    for folder in folders:
        root = Path(folder)
        if not root.is_dir():
            print(f"convert_notebooks: {folder}/ not found, skipped")
            continue
        for source in sorted(root.rglob("*.md")):
            if ".ipynb_checkpoints" in source.parts or not is_myst_notebook(source):
                continue
            target = write_ipynb(source, source.with_suffix(".ipynb"))
            written.append(target)
            print(f"convert_notebooks: {source} -> {target.name}")
    return written


if __name__ == "__main__":
    convert(sys.argv[1:] or ["lessons", "apps"])
