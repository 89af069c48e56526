"""The classroom's VO mirror service (astrolearn.classroom.vo_mirror), decision by
decision: whose mirror it stops, and when it starts one again.

DaCHS is replaced here by a switch (answering or not) so that every branch runs in
milliseconds; the real service with the real DaCHS and hub is tested in
test_vo_mirror.py.
"""

from __future__ import annotations

import threading

import pytest
from astrolearn.classroom import vo_mirror


class Mirror:
    """A stand-in for DaCHS: a start makes it answer, a stop silences it; it stops
    answering on its own at check number ``dies_at``, and the hub stops the service
    after ``checks`` checks."""

    def __init__(self, answering: bool, stop: threading.Event, dies_at: int = 0) -> None:
        self.answering, self.stop, self.dies_at = answering, stop, dies_at
        self.checks, self.seen = 3, 0
        self.actions: list[str] = []

    def is_running(self) -> bool:
        self.seen += 1
        if self.seen == self.dies_at:
            self.answering = False
        if self.seen > self.checks:
            self.stop.set()
        return self.answering

    def run(self, args) -> int:
        self.actions.append(args.action)
        self.answering = args.action == "start"
        return 0


@pytest.fixture
def stop(monkeypatch) -> threading.Event:
    monkeypatch.setattr(vo_mirror, "CHECK_EVERY", 0.001)
    return threading.Event()


def serve(monkeypatch, mirror: Mirror) -> list[str]:
    """Run the service on ``mirror``; the actions it asked for."""
    monkeypatch.setattr(vo_mirror.mirror, "is_running", mirror.is_running)
    monkeypatch.setattr(vo_mirror.mirror, "run", mirror.run)
    assert vo_mirror.serve(mirror.stop) == 0
    assert mirror.seen > mirror.checks  # it kept checking until the hub stopped it
    return mirror.actions


def test_a_mirror_it_started_is_stopped_with_the_hub(monkeypatch, stop):
    assert serve(monkeypatch, Mirror(answering=False, stop=stop)) == ["start", "stop"]


def test_a_mirror_running_before_is_left_alone(monkeypatch, stop):
    assert serve(monkeypatch, Mirror(answering=True, stop=stop)) == []


def test_a_mirror_that_stops_answering_is_started_again_and_stopped_with_the_hub(
    monkeypatch, stop
):
    mirror = Mirror(answering=True, stop=stop, dies_at=2)
    assert serve(monkeypatch, mirror) == ["start", "stop"]


def test_a_failed_start_is_the_services_exit_code(monkeypatch, stop):
    mirror = Mirror(answering=False, stop=stop)
    monkeypatch.setattr(vo_mirror.mirror, "is_running", mirror.is_running)
    monkeypatch.setattr(vo_mirror.mirror, "run", lambda args: 5)
    assert vo_mirror.serve(stop) == 5
