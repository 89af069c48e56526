"""The lab extension drops the tablist role from nbgrader's list of downloaded
assignments while it holds no tab, and touches no other element.

nbgrader 0.9's Assignments panel marks that list role="tablist" but never puts a tab in
it (tests/classroom/test_exchange.py finds it so in a real hub, where axe-core reports
aria-required-children without the fix). Here the extension runs in Chromium on a page
with the list as nbgrader writes it, added after the extension started as JupyterLab
adds a panel, beside a list that has a tab and one of JupyterLab's own tab bars.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

#: Starts the extension, adds a panel, waits for the observer, reports each list's
#: role and aria-multiselectable.
SCENARIO = """async (html) => {
  window._JUPYTERLAB["@astrolearn/d3-event"].init({});
  const panel = document.createElement("div");
  panel.innerHTML = html;
  document.body.append(panel);
  await new Promise((done) => setTimeout(done));
  return [...panel.querySelectorAll(".probe")].map(
    (e) => [e.getAttribute("role"), e.getAttribute("aria-multiselectable")]);
}"""
NBGRADER_LIST = (
    '<div id="fetched_assignments_list" class="list_container probe" role="tablist"'
    ' aria-multiselectable="true"><div class="list_placeholder">'
    "<div> There are no downloaded assignments. </div></div></div>"
)
LAB_TABS = '<ul class="lm-TabBar-content probe" role="tablist"><li role="tab">a</li></ul>'


def test_the_empty_nbgrader_list_loses_its_tablist_role(extension_page):
    assert extension_page.evaluate(SCENARIO, NBGRADER_LIST + LAB_TABS) == [
        [None, None],
        ["tablist", None],  # JupyterLab's own tab bar keeps its role
    ]


def test_a_nbgrader_list_with_tabs_is_left_alone(extension_page):
    with_tab = NBGRADER_LIST.replace('<div class="list_placeholder">', '<div role="tab">')
    assert extension_page.evaluate(SCENARIO, with_tab) == [["tablist", "true"]]


def test_a_list_drawn_before_the_extension_started_is_fixed_too(extension_page):
    drawn = "(html) => document.body.insertAdjacentHTML('beforeend', html)"
    extension_page.evaluate(drawn, NBGRADER_LIST)
    extension_page.evaluate(SCENARIO, "")  # starts the extension
    role = "() => document.querySelector('#fetched_assignments_list').getAttribute('role')"
    assert extension_page.evaluate(role) is None
