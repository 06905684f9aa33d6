"""The declarative role azureml.model_management.accounts: on localhost and per host with the inventory plugin,
with purge limited to its scope and a check-mode plan that writes nothing (AWX-style runs: test_awx_jobs.py)."""
import json

from awx import inventory_script  # pylint: disable=import-error
from fleet import PLUGIN, inventory_list  # pylint: disable=import-error
from plays import ROLE_VARS, arrange_scope, summary, write_play, writes  # pylint: disable=import-error


def plan_lines(emulator, check, **counts):
    """The summary's first two lines: Terraform's three counts naming the subscription, then every count in order."""
    names = ('create', 'update', 'repair', 'delete', 'purge', 'unchanged', 'absent', 'skipped', 'failed')
    three = (counts.get('create', 0), counts.get('update', 0) + counts.get('repair', 0), counts.get('delete', 0) + counts.get('purge', 0))
    head = ('Plan for subscription %s: %d to add, %d to change, %d to destroy (check mode: nothing was written)' if check
            else 'Done for subscription %s: %d added, %d changed, %d destroyed') % ((emulator.subscription,) + three)
    return [head, ', '.join('%s %d' % (n, counts.get(n, 0)) for n in names) + counts.get('extra', '')]


# hand-made is in the declared group, untagged: neither declared nor purgeable, named once at the end of the plan
NOT_MANAGED = 'not managed: 1 account(s) of the groups read are not declared and not in the purge scope: hand-made (it-rg)'


def test_localhost_plan_apply_and_purge_in_scope_only(ansible, emulator, tmp_path):
    arrange_scope(emulator)
    play = write_play(tmp_path, 'localhost', ROLE_VARS)

    check = ansible.playbook(play, '--check')
    assert check.returncode == 0, check.stdout + check.stderr
    assert summary(check.stdout) == plan_lines(emulator, True, create=1, update=1, purge=1) + [
        '+ new-one (it-rg)', '~ keep-me (it-rg): sku.name S1 → S2, sku.capacity 1 → 2', '- stale (it-rg) purge', NOT_MANAGED]
    assert writes(emulator) == []

    real = ansible.playbook(play)
    assert real.returncode == 0, real.stdout + real.stderr
    assert summary(real.stdout)[:2] == plan_lines(emulator, False, create=1, update=1, purge=1)
    assert sorted(writes(emulator)) == [('DELETE', 'it-rg/stale'), ('PATCH', 'it-rg/keep-me'), ('PUT', 'it-rg/new-one')]
    assert emulator.get_account('stale') is None
    assert emulator.get_account('hand-made') is not None and emulator.get_account('elsewhere', 'demo-rg') is not None
    assert emulator.get_account('keep-me')['sku'] == {'name': 'S2', 'capacity': 2}

    emulator.clear_journal()
    again = ansible.playbook(play)
    assert again.returncode == 0, again.stdout + again.stderr
    assert summary(again.stdout) == plan_lines(emulator, False, unchanged=2) + [NOT_MANAGED]
    assert writes(emulator) == []


def test_purge_is_off_by_default_and_needs_a_scope(ansible, emulator, tmp_path):
    arrange_scope(emulator)
    no_purge = dict(ROLE_VARS, accounts_purge=False)
    process = ansible.playbook(write_play(tmp_path, 'localhost', {k: v for k, v in no_purge.items() if k != 'accounts_purge'}))
    assert process.returncode == 0, process.stdout + process.stderr
    assert ('DELETE', 'it-rg/stale') not in writes(emulator)

    emulator.clear_journal()
    no_scope = {k: v for k, v in ROLE_VARS.items() if k != 'accounts_purge_resource_groups'}
    process = ansible.playbook(write_play(tmp_path, 'localhost', no_scope, name='noscope.yml'))
    assert process.returncode != 0
    assert 'accounts_purge needs accounts_purge_resource_groups' in process.stdout
    assert emulator.journal(kind=None) == []


def inventory_source(tmp_path, emulator):
    path = tmp_path / 'fleet.azureml_accounts.yml'
    path.write_text(json.dumps({'plugin': PLUGIN, 'resource_groups': ['it-rg', 'demo-rg']}))
    return str(path)


def test_per_host_with_the_inventory_plugin(ansible, emulator, tmp_path):
    arrange_scope(emulator)
    source = inventory_source(tmp_path, emulator)
    play = write_play(tmp_path, 'azureml_accounts', ROLE_VARS)

    check = ansible.playbook(play, '-i', source, '--check')
    assert check.returncode == 0, check.stdout + check.stderr
    assert summary(check.stdout) == plan_lines(emulator, True, create=1, update=1, purge=1) + [
        '+ new-one (it-rg)', '~ keep-me (it-rg): sku.name S1 → S2, sku.capacity 1 → 2', '- stale (it-rg) purge', NOT_MANAGED]
    assert writes(emulator) == []

    real = ansible.playbook(play, '-i', source)
    assert real.returncode == 0, real.stdout + real.stderr
    assert sorted(writes(emulator)) == [('DELETE', 'it-rg/stale'), ('PATCH', 'it-rg/keep-me'), ('PUT', 'it-rg/new-one')]
    assert emulator.get_account('hand-made') is not None and emulator.get_account('elsewhere', 'demo-rg') is not None


BAD_ENTRIES = [
    ({'location': 'eastus'}, 'accounts_list[0]: missing required arguments: name'),
    ({'name': 'b', 'colour': 'red'}, 'accounts_list[1]: colour. Supported parameters include'),
    ({'name': 'c', 'sku': 'S1'}, "accounts_list[2].sku must be a dictionary with name and capacity"),
    ({'name': 'd', 'state': 'gone'}, 'accounts_list[3]: value of state must be one of: present, absent, got: gone'),
    ('notadict', "accounts_list[4]: must be a dictionary with name, resource_group, location, sku"),
]


def test_each_bad_entry_is_named_once_per_run_before_anything_is_sent(ansible, emulator, tmp_path):
    """The declared list is checked once per run (not by the role's argument spec on every host), and each message
    names the entry as the user wrote it: accounts_list[i]."""
    arrange_scope(emulator)
    imported = inventory_list(ansible.environment(), inventory_source(tmp_path, emulator), '--export')
    hosts = inventory_script(str(tmp_path / 'hosts'), imported)  # as AWX gives it to a job: no request to list it
    role_vars = dict(ROLE_VARS, accounts_list=[entry for entry, _words in BAD_ENTRIES])
    emulator.clear_journal()
    process = ansible.playbook(write_play(tmp_path, 'azureml_accounts', role_vars), '-i', hosts, '--check')
    assert process.returncode != 0
    for _entry, words in BAD_ENTRIES:
        assert words in process.stdout, (words, process.stdout)
    assert process.stdout.count('FAILED!') == 1, process.stdout  # one run, one message
    assert emulator.journal(kind=None) == []
