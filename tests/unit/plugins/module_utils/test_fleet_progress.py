# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fleet run's progress file (the module writes, the action plugin reads) and the line shown from it."""

from __future__ import annotations

import json
import os
import time

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils import fleet_progress as fpr
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_apply import Applied
from ansible_collections.azureml.model_management.tests.unit.fakes import FakeClock


class Gate(object):
    def __init__(self, clock):
        self.clock, self.pauses, self.paused_until = clock, 0, clock()


def test_the_file_is_replaced_whole_at_most_twice_a_second_and_at_once_on_a_new_phase(tmp_path):
    clock = FakeClock(100.0)
    path = str(tmp_path / "progress.json")
    progress = fpr.ProgressFile(path, clock=clock)
    progress.update(phase="listing", groups=3)
    assert fpr.read_progress(path)["groups"] == 3
    progress.update(phase="applying", todo=10)  # a new phase: written at once
    progress.update(done=1)  # within MIN_WRITE_GAP: kept for the next write
    assert fpr.read_progress(path)["done"] == 0
    clock.now += fpr.MIN_WRITE_GAP
    progress.update(done=2, secret="never written")
    state = fpr.read_progress(path)
    assert (state["phase"], state["done"], state["todo"]) == ("applying", 2, 10) and set(state) == set(fpr.FIELDS)
    assert os.listdir(str(tmp_path)) == ["progress.json"]  # no temporary file left beside it


def test_writing_progress_never_fails_the_run(tmp_path):
    progress = fpr.ProgressFile(str(tmp_path / "missing-folder" / "progress.json"))
    progress.update(phase="listing")  # the folder is gone: no exception, and no further attempt
    assert progress.path is None
    progress.update(phase="applying")
    silent = fpr.ProgressFile(None)
    silent.tick(lambda: {})
    silent.close(done=1)
    assert fpr.read_progress(str(tmp_path / "nothing.json")) is None


@pytest.mark.parametrize("text", ["{", "[1, 2]", "null"])
def test_an_unreadable_file_reads_as_nothing_yet(tmp_path, text):
    path = tmp_path / "progress.json"
    path.write_text(text)
    assert fpr.read_progress(str(path)) is None


def test_apply_progress_counts_writes_failures_and_the_gates_pauses(tmp_path):
    clock = FakeClock(100.0)
    gate = Gate(clock)
    path = str(tmp_path / "progress.json")
    progress = fpr.ProgressFile(path, clock=clock)
    counter = fpr.ApplyProgress(progress, 3, gate, check_mode=False)
    counter.done(Applied(True, "create"))
    gate.pauses, gate.paused_until = 2, clock.now + 4
    clock.now += 1
    counter.done(Applied(error={"message": "no"}, action="update"))
    assert counter.snapshot() == dict(done=2, todo=3, failed=1, throttled=2, paused=3.0)
    counter.close()
    state = fpr.read_progress(path)
    assert (state["phase"], state["done"], state["failed"], state["throttled"]) == ("done", 2, 1, 2)


@pytest.mark.parametrize("state, line", [
    (None, "fleet run: starting (3 s)"),
    ({"phase": "listing", "groups": 2}, "fleet run: listing 2 resource group(s) (3 s)"),
    ({"phase": "applying", "done": 120, "todo": 300}, "fleet run: writing, 120 of 300 done, 180 to do (3 s)"),
    ({"phase": "applying", "check_mode": True, "done": 1, "todo": 3}, "fleet run: checking, 1 of 3 done, 2 to do (3 s)"),
    ({"phase": "applying", "done": 5, "todo": 9, "failed": 2, "throttled": 3, "paused": 4.4},
     "fleet run: writing, 5 of 9 done, 4 to do, 2 failed (3 s); throttled by Resource Manager 3 time(s), paused now (4 s left)"),
    ({"phase": "applying", "done": 5, "todo": 9, "throttled": 1, "paused": 0.1},
     "fleet run: writing, 5 of 9 done, 4 to do (3 s); throttled by Resource Manager 1 time(s)"),
    ({"phase": "applying", "done": "5; rm -rf", "todo": -1, "throttled": True}, "fleet run: writing, 0 of 0 done, 0 to do (3 s)"),
])
def test_the_line_shows_counts_done_to_do_and_pauses_and_nothing_else(state, line):
    assert fpr.progress_line(state, 3.7) == line


def test_a_ticker_refreshes_the_file_while_nothing_completes(tmp_path, monkeypatch):
    monkeypatch.setattr(fpr, "TICK", 0.01)
    path = str(tmp_path / "progress.json")
    progress = fpr.ProgressFile(path)
    progress.update(phase="applying")
    seen = []

    def snapshot():
        seen.append(1)
        return dict(throttled=len(seen))

    progress.tick(snapshot)
    deadline = time.monotonic() + 30
    while len(seen) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    progress.close()
    assert json.loads(open(path, encoding="utf-8").read())["throttled"] >= 3
