"""A sortable, paged HTML view of an astropy Table, with VOTable/CSV export."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import traitlets
from astropy.table import Table

PAGE_ROWS = 25
#: Tables up to this size also get a browser download link (a data: URL in the page).
DOWNLOAD_LINK_LIMIT = 5_000_000
FORMATS = {
    "votable": ("votable", ".xml", "application/x-votable+xml"),
    "csv": ("ascii.csv", ".csv", "text/csv"),
}


def table_bytes(table: Table, fmt: str) -> bytes:
    """The table written as ``"votable"`` or ``"csv"``.

    Examples
    --------
    >>> table_bytes(Table({"a": [1]}), "csv")
    b'a\\n1\\n'
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {sorted(FORMATS)}, got {fmt!r}")
    # Plain scalar meta only: nested provenance dicts do not fit a CSV header.
    copy = Table(table, copy=False)
    copy.meta = {k: v for k, v in table.meta.items() if isinstance(v, str | int | float)}
    if fmt == "csv":
        text = io.StringIO()
        copy.write(text, format="ascii.csv")
        return text.getvalue().replace("\r\n", "\n").encode()
    buffer = io.BytesIO()
    copy.write(buffer, format="votable")
    return buffer.getvalue()


class TableView(widgets.VBox):
    """Show a Table a page at a time; sort by any column; export it.

    Examples
    --------
    >>> view = TableView(Table({"g": [18.0, 16.0, 17.0]}))
    >>> view.sort_column = "g"; view.displayed_rows()["g"].tolist()
    [16.0, 17.0, 18.0]
    """

    table = traitlets.Instance(Table, allow_none=True)
    sort_column = traitlets.Unicode("")
    descending = traitlets.Bool(False)

    def __init__(self, table: Table | None = None, name: str = "query_result") -> None:
        self.name = name
        self.sort_menu = widgets.Dropdown(description="Sort by", options=[("(as returned)", "")])
        self.order = widgets.ToggleButton(description="Descending", icon="sort-amount-desc")
        self.page = widgets.BoundedIntText(
            description="Page", min=1, max=1, value=1, layout=widgets.Layout(width="160px")
        )
        self.html = widgets.HTML()
        self.save_votable = widgets.Button(description="Save VOTable", icon="download")
        self.save_csv = widgets.Button(description="Save CSV", icon="download")
        self.saved = widgets.HTML()
        self.save_votable.on_click(lambda _: self._save("votable"))
        self.save_csv.on_click(lambda _: self._save("csv"))
        traitlets.link((self.sort_menu, "value"), (self, "sort_column"))
        traitlets.link((self.order, "value"), (self, "descending"))
        super().__init__(
            [
                widgets.HBox([self.sort_menu, self.order, self.page]),
                self.html,
                widgets.HBox([self.save_votable, self.save_csv, self.saved]),
            ]
        )
        self.page.observe(lambda _: self._render(), "value")
        self.table = table

    @traitlets.observe("table")
    def _new_table(self, change) -> None:
        table = self.table
        names = [] if table is None else [n for n in table.colnames if table[n].ndim == 1]
        self.sort_menu.options = [("(as returned)", ""), *((n, n) for n in names)]
        pages = 1 if table is None else max(1, -(-len(table) // PAGE_ROWS))
        self.page.max, self.page.value = pages, 1
        self.saved.value = ""
        self._render()

    @traitlets.observe("sort_column", "descending")
    def _resort(self, change) -> None:
        self._render()

    def sorted_table(self) -> Table:
        """The whole table in the current sort order (masked values last)."""
        if self.table is None or not self.sort_column:
            return self.table
        column = self.table[self.sort_column]
        keys = np.ma.argsort(np.ma.asarray(column), endwith=True, kind="stable")
        return self.table[keys[::-1] if self.descending else keys]

    def displayed_rows(self) -> Table:
        """The rows on the current page."""
        start = (self.page.value - 1) * PAGE_ROWS
        return self.sorted_table()[start : start + PAGE_ROWS]

    def _render(self) -> None:
        if self.table is None:
            self.html.value = "<i>No result yet.</i>"
            return
        rows = self.displayed_rows()
        head = "".join(
            f"<th scope='col'>{html.escape(n)}"
            f"{' [' + html.escape(str(rows[n].unit)) + ']' if rows[n].unit else ''}</th>"
            for n in rows.colnames
        )
        body = "".join(
            "<tr>"
            + "".join(f"<td>{html.escape(_cell(row[n]))}</td>" for n in rows.colnames)
            + "</tr>"
            for row in rows
        )
        caption = f"{len(self.table):,} rows; page {self.page.value} of {self.page.max}"
        self.html.value = (
            f"<div style='overflow:auto;max-height:420px'><table class='astrolearn-table'>"
            f"<caption>{caption}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></div>"
        )

    def export(self, path: str | Path, fmt: str | None = None) -> Path:
        """Write the whole table (as sorted) to ``path``; format from the suffix by default."""
        path = Path(path)
        fmt = fmt or ("csv" if path.suffix.lower() == ".csv" else "votable")
        if self.table is None:
            raise ValueError("there is no table to export yet: run a query first")
        path.write_bytes(table_bytes(self.sorted_table(), fmt))
        return path

    def _save(self, fmt: str) -> None:
        _, suffix, mime = FORMATS[fmt]
        path = self.export(Path(self.name + suffix), fmt)
        message = f"Saved {html.escape(str(path))}"
        data = path.read_bytes()
        if len(data) <= DOWNLOAD_LINK_LIMIT:
            encoded = base64.b64encode(data).decode()
            message += (
                f" · <a download='{html.escape(path.name)}' "
                f"href='data:{mime};base64,{encoded}'>download</a>"
            )
        self.saved.value = message


def _cell(value) -> str:
    if isinstance(value, float | np.floating):
        return f"{value:.6g}"
    return str(value)
