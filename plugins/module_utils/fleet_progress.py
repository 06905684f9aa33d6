# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A fleet run's progress, written by the module as it runs and shown by its action plugin on the controller.

A module cannot print while it runs: Ansible reads its output when it ends. So the module writes a small JSON file
(``ProgressFile``, at the path its ``progress_file`` option names: the action plugin's private temporary directory),
replaced whole each time (a reader never sees half a file), at most every ``MIN_WRITE_GAP`` seconds plus once per
phase; the action plugin reads it every few seconds and displays one line (``progress_line``). Only counts, phases
and throttling pauses go into the file: nothing from the task's arguments, Azure's answers or the credential, so no
secret can reach a progress line. Writing progress never fails the run: after an error the file is left as it was.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time

MIN_WRITE_GAP = 0.5  # seconds between two writes of the file (a phase change is written at once)
TICK = 1.0  # seconds between two refreshes while nothing completes (a throttling pause is still shown)
FIELDS = ("phase", "check_mode", "groups", "done", "todo", "failed", "throttled", "paused")


class ProgressFile(object):
    """The module's side (thread-safe): ``update`` the counts; ``tick(snapshot)`` refreshes them every ``TICK`` seconds
    from ``snapshot()`` until ``close``."""

    def __init__(self, path, clock=time.monotonic):
        self.path = path
        self.clock = clock
        self.state = dict(phase="starting", check_mode=False, groups=0, done=0, todo=0, failed=0, throttled=0, paused=0.0)
        self._written = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker = None

    def update(self, **fields):
        with self._lock:
            phase_changed = "phase" in fields and fields["phase"] != self.state["phase"]
            self.state.update((key, value) for key, value in fields.items() if key in FIELDS)
            now = self.clock()
            if self.path and (phase_changed or self._written is None or now - self._written >= MIN_WRITE_GAP):
                self._written = now
                self._write(dict(self.state))

    def _write(self, state):
        try:
            folder = os.path.dirname(self.path) or "."
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".progress-")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(state, stream)
            os.replace(temporary, self.path)
        except (OSError, ValueError, TypeError):
            self.path = None  # progress is a courtesy: never fail the run for it, and stop trying

    def tick(self, snapshot):
        """Refresh from ``snapshot()`` (a dict of ``FIELDS``) every ``TICK`` seconds, in a daemon thread."""
        if not self.path or self._ticker is not None:
            return

        def loop():
            while not self._stop.wait(TICK):
                self.update(**snapshot())

        self._ticker = threading.Thread(target=loop, name="fleet-progress")
        self._ticker.daemon = True
        self._ticker.start()

    def close(self, **fields):
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        self.update(phase="done", **fields)


def read_progress(path):
    """The last progress the module wrote, or None (not yet written, or unreadable)."""
    try:
        with open(path, encoding="utf-8") as stream:
            state = json.load(stream)
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def _count(state, key):
    value = state.get(key)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else 0


def progress_line(state, elapsed):
    """One line for the controller's output (and AWX's job events): what the run is doing, counts done / to do,
    throttling pauses; ``state`` None: the module has not said anything yet."""
    seconds = "%d s" % elapsed
    if not state or state.get("phase") in (None, "starting"):
        return "fleet run: starting (%s)" % seconds
    if state.get("phase") == "listing":
        return "fleet run: listing %d resource group(s) (%s)" % (_count(state, "groups"), seconds)
    done, todo, failed = _count(state, "done"), _count(state, "todo"), _count(state, "failed")
    verb = "checking" if state.get("check_mode") else "writing"
    line = "fleet run: %s, %d of %d done, %d to do" % (verb, done, todo, max(0, todo - done))
    if failed:
        line += ", %d failed" % failed
    line += " (%s)" % seconds
    throttled, paused = _count(state, "throttled"), _count(state, "paused")
    if throttled:
        line += "; throttled by Resource Manager %d time(s)" % throttled
        if paused >= 0.5:
            line += ", paused now (%d s left)" % round(paused)
    return line


class ApplyProgress(object):
    """The counts of an apply for a ``ProgressFile``: writes done of those to do, failures, and the shared gate's
    throttling pauses (``pauses``, ``paused_until`` on its ``clock``), refreshed as writes end and every ``TICK``."""

    def __init__(self, progress, todo, gate, check_mode):
        self.progress = progress
        self.gate = gate
        self.todo = todo
        self.done_count = 0
        self.failed = 0
        self._lock = threading.Lock()
        progress.update(phase="applying", check_mode=check_mode, **self.snapshot())
        progress.tick(self.snapshot)

    def done(self, applied):
        """``fleet_apply.apply_plan``'s ``on_done``: one more write ended (``applied.error`` when it failed)."""
        with self._lock:
            self.done_count += 1
            self.failed += 1 if getattr(applied, "error", None) else 0
        self.progress.update(**self.snapshot())

    def snapshot(self):
        with self._lock:
            counts = dict(done=self.done_count, todo=self.todo, failed=self.failed)
        clock = getattr(self.gate, "clock", time.monotonic)
        paused = getattr(self.gate, "paused_until", None)
        counts.update(throttled=getattr(self.gate, "pauses", 0), paused=max(0.0, paused - clock()) if paused is not None else 0.0)
        return counts

    def close(self):
        self.progress.close(**self.snapshot())
