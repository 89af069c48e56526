"""nbgrader configuration of the astrolearn course (run nbgrader from this folder).

`astrolearn grade ...` runs nbgrader here; plain `nbgrader ...` commands work too.
The assignment sources in source/ are generated from the lessons' MyST files
(`astrolearn grade generate-sources`) and are not committed.
"""

c = get_config()  # noqa: F821 (injected by nbgrader)

c.CourseDirectory.course_id = "astrolearn"

# Stop runaway cells (an infinite loop raises CellTimeoutError); nbgrader then interrupts
# the kernel and goes on with the next cell, so only that cell's tests are lost.
c.ExecutePreprocessor.timeout = 60
c.Execute.interrupt_on_timeout = True
# A test cell deleted from a submission would otherwise be scored 0 without a word;
# nbgrader puts it back from the gradebook and runs it (astrolearn grade also reports it).
c.OverwriteCells.add_missing_cells = True

# Kernels talk to nbgrader over Unix sockets, not TCP: the grading sandbox (astrolearn
# grade) gives each kernel no network at all.
c.KernelManager.transport = "ipc"

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Bound what a submission can print: lines (nbgrader) and characters (astrolearn), so
# feedback pages stay small whatever a learner prints.
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100
c.Autograde.autograde_preprocessors = [
    "astrolearn.grading.trusted.TrustedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "astrolearn.grading.limits.LimitOutputSize",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
