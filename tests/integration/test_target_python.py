"""The modules on the oldest Python README promises for the host that runs them (3.9), from a venv holding only
requirements.txt: the demo playbook, the fleet module and account_info, with ansible_python_interpreter set to it.

`make test-next` (ansible-core 2.21, whose floor for that host is 3.9) builds the venv (Makefile: VENV_TARGET_OLDEST)
and passes its Python as AZUREML_TARGET_PYTHON; run elsewhere without it, the test is reported as skipped, saying so.
"""
import os
import subprocess

import pytest

from plays import DEMO, HERE, recap  # pylint: disable=import-error

TARGET = os.environ.get('AZUREML_TARGET_PYTHON')
pytestmark = pytest.mark.skipif(not TARGET, reason='AZUREML_TARGET_PYTHON is not set (make test-next sets it)')


def target_python(code):
    return subprocess.run([TARGET, '-c', code], capture_output=True, text=True, timeout=60, check=False)


def test_the_target_venv_is_python_3_9_with_the_runtime_requirements_only():
    assert target_python('import sys; print("%d.%d" % sys.version_info[:2])').stdout.strip() == '3.9'
    assert target_python('import requests, azure.identity').returncode == 0
    assert target_python('import ansible').returncode != 0  # the modules bring their module_utils along (AnsiballZ)


def test_demo_and_fleet_on_python_3_9(ansible, emulator):
    interpreter = ('-e', 'ansible_python_interpreter=' + TARGET)
    demo = ansible.playbook(DEMO, '--diff', *interpreter)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert recap(demo.stdout)[1:] == (4, 0, 0)
    assert [entry['method'] for entry in emulator.journal() if entry['method'] != 'GET'] == ['PUT', 'PATCH', 'DELETE']

    emulator.clear_journal()
    process, records = ansible.playbook_results(os.path.join(HERE, 'playbooks', 'fleet_and_facts.yml'), *interpreter)
    assert process.returncode == 0, process.stdout + process.stderr
    facts, created, again, listed = (record['result'] for record in records)
    assert facts['ansible_facts']['ansible_python_version'].startswith('3.9.')
    assert (created['changed'], again['changed']) == (True, False)
    assert sorted(account['name'] for account in listed['accounts']) == ['fleet-a', 'fleet-b']
    assert sorted(entry['method'] for entry in emulator.journal() if entry['method'] != 'GET') == ['PUT', 'PUT']
