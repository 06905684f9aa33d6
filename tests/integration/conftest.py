"""Fixtures for integration tests: one emulator per session, reset before every test."""
import pytest

from fleet import SECOND_SUBSCRIPTION  # pylint: disable=import-error
from harness import Ansible, Emulator  # pylint: disable=import-error
from matrix import record_bad_input  # pylint: disable=import-error


@pytest.fixture(scope='session')
def emulator_process(tmp_path_factory):
    emulator = Emulator(str(tmp_path_factory.mktemp('emulator')))
    yield emulator
    emulator.stop()


def fresh(emulator):
    """``emulator`` back to its start state: seeded resource groups only, default config, empty journal."""
    emulator.reset()
    emulator.configure(retry_after=0)
    emulator.clear_journal()
    return emulator


@pytest.fixture
def emulator(emulator_process):
    """The emulator, back to its start state: seeded resource groups only, default config, empty journal."""
    return fresh(emulator_process)


@pytest.fixture(scope='session')
def two_subscriptions(tmp_path_factory):
    """An emulator of its own that also knows SECOND_SUBSCRIPTION (fleet.py): runs across subscriptions."""
    emulator = Emulator(str(tmp_path_factory.mktemp('two-subscriptions')), ['--subscription', SECOND_SUBSCRIPTION])
    yield emulator
    emulator.stop()


@pytest.fixture
def ansible(emulator, tmp_path):
    return Ansible(emulator, str(tmp_path))


BAD_INPUT_TESTS = ('bad_input', 'refused', 'requires', 'missing')  # names of the tests that feed bad input


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Record each bad-input case of test_input_validation.py for docs/reliability.md: the input, and where it
    was caught, read from the emulator's journal right after the test (what reached the emulator, if anything).
    Tests of accepted input in that file (validate_certs warnings, well-formed values) are not bad inputs."""
    outcome = yield
    report = outcome.get_result()
    emulator = item.funcargs.get('emulator') if hasattr(item, 'funcargs') else None
    if report.when != 'call' or item.module.__name__ != 'test_input_validation' or emulator is None \
            or not any(word in item.name for word in BAD_INPUT_TESTS):
        return
    # The module's requests only: the test's own arranging requests come from the harness (python-requests).
    sent = [entry for entry in emulator.journal(kind=None)
            if not entry['headers'].get('User-Agent', '').startswith('python-requests')]
    arm = [entry['method'] for entry in sent if entry['kind'] == 'arm']
    if report.failed:
        caught = 'NOT as required (the test failed)'
    elif not sent:
        caught = 'module, before any request'
    elif set(arm) <= {'GET'}:
        caught = 'module, after reading the account, before any write'
    else:
        caught = 'accepted: sent to Resource Manager (%s)' % ', '.join(arm)
    params = getattr(item, 'callspec', None)
    shown = {key: value for key, value in (params.params.items() if params else ()) if key not in ('words', 'args')}
    record_bad_input(item.nodeid.split('::', 1)[1], ascii(shown) if shown else item.name, caught,
                     (item.function.__doc__ or item.name).strip().split('\n')[0], len(sent))
