"""The inventory plugin's host names (issue 14, items 2 and 3): a host is always the same one account.

A host's name is a function of its own account (and the source's options), never of which other accounts exist;
two accounts never share a host; Ansible's own words stay Ansible's; case variants of subscriptions and resource
groups change nothing, as Azure compares both ignoring case.
"""
import json
import re
import subprocess
import os

import pytest

from fleet import add_resource_groups, ansible_inventory, hostvars, inventory_list, write_source  # pylint: disable=import-error
from harness import BIN_DIR  # pylint: disable=import-error

UNPARSED_FAILED = {'ANSIBLE_INVENTORY_UNPARSED_FAILED': 'true'}


@pytest.fixture
def env(ansible):
    return ansible.environment(extra=UNPARSED_FAILED)


def accounts_of(listing):
    """{host: (resource group, name)} of an ``ansible-inventory --list``."""
    return {host: (v['azureml_account']['resource_group'], v['azureml_account']['name']) for host, v in hostvars(listing).items()}


def test_default_names_carry_the_resource_group_and_ignore_other_accounts(emulator, env, tmp_path):
    add_resource_groups(emulator, [emulator.subscription], ('hc1', 'hc2', 'hc3'))
    emulator.put_account('a', 'hc1')
    emulator.put_account('Scoring', 'hc1')
    source = write_source(tmp_path, {'resource_groups': ['hc1', 'hc2', 'hc3']})
    before = accounts_of(inventory_list(env, source))
    assert before == {'a@hc1': ('hc1', 'a'), 'scoring@hc1': ('hc1', 'Scoring')}  # lower case: Azure ignores it

    emulator.put_account('a', 'hc2')      # the same name in another group
    emulator.put_account('a@hc1', 'hc3')  # a name that spells the first host's name
    after = accounts_of(inventory_list(env, source))
    assert after == {'a@hc1': ('hc1', 'a'), 'scoring@hc1': ('hc1', 'Scoring'), 'a@hc2': ('hc2', 'a'), 'a@hc1@hc3': ('hc3', 'a@hc1')}


@pytest.mark.parametrize('hostname_format, names', [('{location}', ('one', 'two')), ('{name}', ('twin', 'TWIN'))],
                         ids=['location', 'name-ignoring-case'])
def test_a_format_that_gives_two_accounts_one_host_fails_naming_both(emulator, env, tmp_path, hostname_format, names):
    add_resource_groups(emulator, [emulator.subscription], ('hc1', 'hc2'))
    emulator.put_account(names[0], 'hc1')
    emulator.put_account(names[1], 'hc2')
    process = ansible_inventory(env, write_source(tmp_path, {'resource_groups': ['hc1', 'hc2'],
                                                             'hostname_format': hostname_format}), '--list')
    assert process.returncode != 0
    message = ''.join(process.stderr.split())  # Ansible wraps warnings, long ids included
    assert 'hostname_format' in message and 'twoaccounts' in message
    for name, group in zip(names, ('hc1', 'hc2')):
        assert emulator.account_path(name, group) in message


RESERVED = ('all', 'ungrouped', 'localhost', 'azureml_accounts')

PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: which localhost
      ansible.builtin.debug:
        msg: "{{ [inventory_hostname, azureml_account | default('implicit')] }}"
- hosts: %s
  gather_facts: false
  connection: local
  tasks:
    - name: the accounts
      ansible.builtin.debug:
        msg: "{{ azureml_account.name }}"
"""


def test_accounts_named_like_ansible_words_stay_addressable(ansible, emulator, env, tmp_path):
    add_resource_groups(emulator, [emulator.subscription], ('0.0.1',))
    for name in RESERVED:
        emulator.put_account(name, 'it-rg')
    emulator.put_account('127', '0.0.1')  # with hostname_format {name}.{resource_group}: 127.0.0.1
    qualifier = '@it-rg@' + emulator.subscription
    source = write_source(tmp_path, {'resource_groups': ['it-rg', '0.0.1'], 'hostname_format': '{name}'})
    hosts = accounts_of(inventory_list(env, source))
    assert hosts == dict([(name + qualifier, ('it-rg', name)) for name in RESERVED] + [('127', ('0.0.1', '127'))])

    dotted = write_source(tmp_path, {'resource_groups': ['it-rg', '0.0.1'], 'hostname_format': '{name}.{resource_group}'},
                          name='dotted.azureml_accounts.yml')
    assert '127.0.0.1@0.0.1@' + emulator.subscription in hostvars(inventory_list(env, dotted))

    targets = ','.join(name + qualifier for name in RESERVED)
    play = tmp_path / 'play.yml'
    play.write_text(PLAY % targets)
    process, records = ansible.playbook_results(str(play), '-i', source, extra=UNPARSED_FAILED)
    assert process.returncode == 0, process.stdout + process.stderr
    assert [r['result']['msg'] for r in records if r['task'] == 'which localhost'] == [['localhost', 'implicit']]
    assert sorted(r['result']['msg'] for r in records if r['task'] == 'the accounts') == sorted(RESERVED)


def test_case_variants_of_subscriptions_and_resource_groups_list_each_once(emulator, env, tmp_path):
    emulator.put_account('one', 'it-rg')
    emulator.put_account('two', 'demo-rg')
    plain = write_source(tmp_path, {'subscriptions': [emulator.subscription], 'resource_groups': ['it-rg', 'demo-rg']})
    expected = inventory_list(env, plain)
    assert sorted(hostvars(expected)) == ['one@it-rg', 'two@demo-rg']

    emulator.clear_journal()
    variants = write_source(tmp_path, {'subscriptions': [emulator.subscription, emulator.subscription.upper()],
                                       'resource_groups': ['it-rg', 'IT-RG', 'demo-rg', 'Demo-RG']}, name='variants.azureml_accounts.yml')
    listing = inventory_list(env, variants)
    assert hostvars(listing) == hostvars(expected)
    lists = [entry['path'].split('/')[4].lower() for entry in emulator.journal() if entry['method'] == 'GET']
    assert sorted(lists) == ['demo-rg', 'it-rg']  # one list per group, not one per spelling


def test_a_source_without_the_suffix_is_named_clearly(emulator, env, tmp_path):
    path = tmp_path / 'fleet.yml'
    path.write_text(json.dumps({'plugin': 'azureml.model_management.accounts'}))
    command = [os.path.join(BIN_DIR, 'ansible-inventory'), '-i', str(path), '--list']
    process = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert process.returncode != 0
    message = ' '.join(process.stderr.split())
    assert re.search(r'file name .*must end in azureml_accounts\.yml or azureml_accounts\.yaml', message), message
    assert emulator.journal(kind=None) == []


def test_provisioning_state_is_succeeded_when_azure_omits_it(emulator, env, tmp_path):
    """Item 5: Azure leaves provisioningState out of a healthy account; the host variable says Succeeded."""
    emulator.put_account('healthy', 'it-rg')
    emulator.put_account('broken', 'it-rg')
    emulator.control('POST', 'provisioning-state', {'resource_group': 'it-rg', 'name': 'broken', 'state': 'Failed'})
    listing = inventory_list(env, write_source(tmp_path, {
        'resource_groups': ['it-rg'], 'strict': True,
        'groups': {'healthy': "azureml_account.provisioning_state == 'Succeeded'"},
        'keyed_groups': [{'key': 'azureml_account.provisioning_state', 'prefix': 'state'}],
    }))
    states = {host: v['azureml_account']['provisioning_state'] for host, v in hostvars(listing).items()}
    assert states == {'healthy@it-rg': 'Succeeded', 'broken@it-rg': 'Failed'}
    assert listing['healthy']['hosts'] == ['healthy@it-rg']
    assert listing['state_Succeeded']['hosts'] == ['healthy@it-rg'] and listing['state_Failed']['hosts'] == ['broken@it-rg']
