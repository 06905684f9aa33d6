"""Fixtures for integration tests: one emulator per session, reset before every test."""
import pytest

from harness import Ansible, Emulator  # pylint: disable=import-error


@pytest.fixture(scope='session')
def emulator_process(tmp_path_factory):
    emulator = Emulator(str(tmp_path_factory.mktemp('emulator')))
    yield emulator
    emulator.stop()


@pytest.fixture
def emulator(emulator_process):
    """The emulator, back to its start state: seeded resource groups only, default config, empty journal."""
    emulator_process.reset()
    emulator_process.configure(retry_after=0)
    emulator_process.clear_journal()
    return emulator_process


@pytest.fixture
def ansible(emulator, tmp_path):
    return Ansible(emulator, str(tmp_path))
