"""An nbgrader preprocessor that bounds the size of every output of a graded notebook.

nbgrader's own ``LimitOutput`` counts lines only: one ``print("x" * 10**8)`` is a single
line of 100 MB that would end up in the autograded notebook and the feedback page.
``LimitOutputSize`` cuts each text output (streams, ``text/*`` data, error values) and
drops oversized binary data (images), keeping error outputs so that scores do not change.

Used from ``course/nbgrader_config.py``::

    c.Autograde.autograde_preprocessors = [..., "astrolearn.grading.limits.LimitOutputSize", ...]
"""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Integer

NOTICE = "\n... output cut by the grader: {dropped} more characters ..."


def cut_text(text: str, limit: int) -> str:
    """Keep the first ``limit`` characters of ``text`` and say how many were cut.

    Examples
    --------
    >>> cut_text("abcdef", 3)
    'abc\\n... output cut by the grader: 3 more characters ...'
    """
    if len(text) <= limit:
        return text
    return text[:limit] + NOTICE.format(dropped=len(text) - limit)


class LimitOutputSize(Preprocessor):
    """Cut every output of every code cell to ``max_chars`` characters.

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell("print('x' * 10)")
    >>> cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 10)]
    >>> nb = nbformat.v4.new_notebook(cells=[cell])
    >>> nb, _ = LimitOutputSize(max_chars=4).preprocess(nb, {})
    >>> nb.cells[0].outputs[0].text.splitlines()[0]
    'xxxx'
    """

    # nbconvert preprocessors are off unless enabled; this one is meant to always run.
    enabled = Bool(True).tag(config=True)
    max_chars = Integer(20_000, help="largest text kept per output").tag(config=True)
    max_binary = Integer(2_000_000, help="largest base64 image kept per output").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                output.text = cut_text(output.text, self.max_chars)
            elif output.output_type == "error":
                output.evalue = cut_text(output.evalue, self.max_chars)
                output.traceback = [cut_text(line, self.max_chars) for line in output.traceback]
            else:
                self._cut_data(output.get("data", {}))
        return cell, resources

    def _cut_data(self, data) -> None:
        for mime in list(data):
            value = data[mime]
            if not isinstance(value, str):
                continue  # JSON outputs (widget views) are small structures
            if mime.startswith("text/"):
                data[mime] = cut_text(value, self.max_chars)
            elif len(value) > self.max_binary:
                del data[mime]
                data.setdefault("text/plain", f"[{mime} output of {len(value)} bytes dropped]")
