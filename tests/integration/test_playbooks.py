"""Whole playbooks: the demo that `make demo` runs, module_defaults groups as AWX job templates use them, the role."""
import os

from plays import DEMO, HERE, recap  # pylint: disable=import-error


def test_demo_playbook(ansible, emulator):
    process = ansible.playbook(DEMO, '--diff')
    assert process.returncode == 0, process.stdout + process.stderr
    ok, changed, unreachable, failed = recap(process.stdout)
    assert (changed, unreachable, failed) == (4, 0, 0)  # create, preview (check mode), apply, delete
    assert ok == 12
    writes = [entry['method'] for entry in emulator.journal() if entry['method'] != 'GET']
    assert writes == ['PUT', 'PATCH', 'DELETE']  # the preview wrote nothing


def test_module_defaults_group(ansible, emulator):
    process = ansible.playbook(os.path.join(HERE, 'playbooks', 'module_defaults.yml'))
    assert process.returncode == 0, process.stdout + process.stderr
    assert emulator.get_account('mma-defaults')['location'] == 'westeurope'


def test_accounts_role_converges_and_is_idempotent(ansible, emulator):
    role_play = os.path.join(HERE, 'playbooks', 'role.yml')
    first = ansible.playbook(role_play)
    assert first.returncode == 0, first.stdout + first.stderr
    assert recap(first.stdout)[1] == 1  # one looping task, changed
    assert emulator.get_account('mma-role-b')['sku'] == {'name': 'S3', 'capacity': 5}
    emulator.clear_journal()
    second = ansible.playbook(role_play, '--check', '--diff')
    assert second.returncode == 0, second.stdout + second.stderr
    assert recap(second.stdout)[1] == 0
    assert {entry['method'] for entry in emulator.journal()} == {'GET'}


def test_bad_role_arguments_are_refused(ansible, emulator, tmp_path):
    play = tmp_path / 'bad.yml'
    play.write_text('- hosts: localhost\n  gather_facts: false\n  roles:\n'
                    '    - role: azureml.model_management.accounts\n      accounts_list: [{location: eastus}]\n')
    process = ansible.playbook(str(play))
    assert process.returncode != 0
    assert 'accounts_list' in process.stdout and 'name' in process.stdout
    assert emulator.journal(kind=None) == []
