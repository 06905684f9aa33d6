"""Fixtures for the conformance suite: one shared emulator subprocess (reset before each test) and a factory for more.

Self-contained: depends on nothing outside tests/emulator and tests/conformance.
"""

import pytest

from emu_support import EXTRA_SUB, Client, EmulatorProcess


@pytest.fixture(scope="session")
def emulator_process(tmp_path_factory):
    proc = EmulatorProcess(tmp_path_factory.mktemp("emulator"), "--subscription", EXTRA_SUB, "--resource-group", "demo-rg",
                           "--resource-group", "other-rg")
    yield proc
    proc.stop()


@pytest.fixture
def emu(emulator_process):
    """A client for the shared emulator, reset to its start state (fresh token, no accounts, default config)."""
    client = Client(emulator_process)
    resp = client.control("POST", "reset")
    assert resp.status_code == 200, resp.text
    client.login()
    return client


@pytest.fixture
def start_emulator(tmp_path):
    """Factory for extra emulator processes (restart, signals); all stopped at the end."""
    started = []

    def start(*args, data_dir=None, in_memory=True):
        proc = EmulatorProcess(data_dir or tmp_path / ("emu%d" % len(started)), *args, in_memory=in_memory)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()
