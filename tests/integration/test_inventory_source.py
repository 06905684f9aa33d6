"""The inventory plugin's source file, secrets and connection, round two (issue 22, items 6, 7 and 8), on 2.16 and 2.21.

- No credential the plugin holds is printed, at -vvvv: not a secret of the wrong type in the source file (which
  ansible-core's option check used to print), not a workload-identity token the identity endpoint quotes, not a
  secret the endpoint re-encodes (item 6).
- Mistakes in the source file are errors naming the key, before any request: an unknown key, a boolean that is not
  one, a host name format with a format spec, an azure_rm option that means nothing here; the azure_rm options that
  do mean something work (item 7).
- Every host is reached with ``ansible_connection: local`` and the controller's Python by default, so a play
  without ``connection: local`` does not try ssh to an account (item 8).
"""
import json
import os
import subprocess
from urllib.parse import quote_plus

import pytest

from fleet import ansible_inventory, hostvars, inventory_list, write_source  # pylint: disable=import-error
from harness import BIN_DIR, CALLBACK_DIR  # pylint: disable=import-error

UNPARSED_FAILED = {'ANSIBLE_INVENTORY_UNPARSED_FAILED': 'true'}
RG = 'it-rg'
TOKEN_PATH = '/oauth2/v2.0/token$'


@pytest.fixture
def env(ansible):
    return ansible.environment(extra=UNPARSED_FAILED)


def no_auth_env(ansible, emulator, **extra):
    """The emulator's cloud and subscription only: the credential comes from the source file or ``extra``."""
    return ansible.environment(drop_auth=True, extra=dict(UNPARSED_FAILED, AZURE_CLOUD_ENVIRONMENT=emulator.env['AZURE_CLOUD_ENVIRONMENT'],
                                                          AZURE_SUBSCRIPTION_ID=emulator.subscription, **extra))


def quoting_identity(emulator, quoted):
    """The identity endpoint refuses every token request and quotes ``quoted`` (the form it got) in its error."""
    emulator.fault(method='POST', path=TOKEN_PATH, status=400, count=20, body={
        'error': 'invalid_client', 'error_codes': [7000215],
        'error_description': 'AADSTS7000215: Invalid client credentials. Request: ' + quoted})


# -- item 6: no credential printed -----------------------------------------------------------------------------------

def test_a_secret_of_the_wrong_type_is_refused_without_printing_it(ansible, emulator, tmp_path):
    source = write_source(tmp_path, {'resource_groups': [RG], 'client_id': emulator.env['AZURE_CLIENT_ID'],
                                     'tenant': emulator.env['AZURE_TENANT'], 'secret': ['s3cret-in-a-list', 'second-s3cret'],
                                     'password': {'nested': 's3cret-in-a-mapping'}})
    process = ansible_inventory(no_auth_env(ansible, emulator), source, '--list', '-vvvv')
    assert process.returncode != 0
    output = process.stdout + process.stderr
    message = ' '.join(process.stderr.split())
    assert 'secret must be a string, got a list' in message and 'password must be a string, got a dictionary' in message
    assert 's3cret' not in output
    assert emulator.journal(kind=None) == []


def test_a_quoted_workload_identity_token_is_masked(ansible, emulator, tmp_path):
    token = 'federated~token.' + 'x' * 40
    token_file = tmp_path / 'token'
    token_file.write_text(token + '\n')
    quoting_identity(emulator, 'client_assertion=%s&client_assertion_type=jwt-bearer; raw: %s; encoded: %s' % (
        quote_plus(token), token, token.replace('~', '%7E')))
    env = no_auth_env(ansible, emulator, AZURE_CLIENT_ID=emulator.env['AZURE_CLIENT_ID'], AZURE_TENANT=emulator.env['AZURE_TENANT'],
                      AZURE_FEDERATED_TOKEN_FILE=str(token_file))
    process = ansible_inventory(env, write_source(tmp_path, {'resource_groups': [RG]}), '--list', '-vvvv')
    assert process.returncode != 0
    output = process.stdout + process.stderr
    assert 'AADSTS7000215' in output
    assert 'x' * 40 not in output
    assert [e for e in emulator.journal(kind='identity') if e['method'] == 'POST']


def test_a_secret_the_endpoint_re_encodes_is_masked(ansible, emulator, tmp_path):
    secret = 'emu~Secret_' + 'y' * 30
    quoting_identity(emulator, 'client_secret=%s (as sent: %s)' % (secret.replace('~', '%7E'), secret.replace('~', '%7e').replace('_', '%5F')))
    source = write_source(tmp_path, {'resource_groups': [RG], 'client_id': emulator.env['AZURE_CLIENT_ID'],
                                     'tenant': emulator.env['AZURE_TENANT'], 'secret': secret})
    process = ansible_inventory(no_auth_env(ansible, emulator), source, '--list', '-vvvv')
    assert process.returncode != 0
    output = process.stdout + process.stderr
    assert 'AADSTS7000215' in output and 'y' * 30 not in output


# -- item 7: mistakes in the source file ------------------------------------------------------------------------------

@pytest.mark.parametrize('options, words', [
    ({'resource_group': [RG], 'fail_on_list_errors': 'ture', 'strict': 'maybe', 'include_vm_resource_groups': [RG], 'hostnames': ['name']},
     ['resource_group is not an option of this plugin (did you mean resource_groups?)',
      "fail_on_list_errors must be a boolean (true or false), got 'ture'", "strict must be a boolean (true or false), got 'maybe'",
      'include_vm_resource_groups is an option of azure.azcollection.azure_rm', 'virtual machines',
      'hostnames is an option of azure.azcollection.azure_rm', 'hostname_format']),
    ({'hostname_format': '{name:d}'}, ['hostname_format', '{name:d}', 'format spec']),
], ids=['source-file', 'format-spec'])
def test_a_mistake_in_the_source_is_an_error_naming_the_key(emulator, env, tmp_path, options, words):
    emulator.put_account('one', RG)
    emulator.clear_journal()
    process = ansible_inventory(env, write_source(tmp_path, options), '--list')
    assert process.returncode != 0
    message = ' '.join(process.stderr.split())
    for word in words:
        assert word in message, (word, message)
    assert emulator.journal(kind=None) == []  # nothing listed: not the whole subscription either


def test_the_azure_rm_options_that_mean_something_here_work(emulator, env, tmp_path):
    emulator.put_account('One', RG, sku={'name': 'S2', 'capacity': 4})
    emulator.put_account('two', RG)
    listing = inventory_list(env, write_source(tmp_path, {
        'resource_groups': [RG], 'plain_host_names': True,
        'conditional_groups': {'big': 'azureml_account.sku.capacity >= 4'},
        'hostvar_expressions': {'account_label': "azureml_account.name ~ '/' ~ azureml_account.sku.name"}}))
    variables = hostvars(listing)
    assert sorted(variables) == ['one', 'two']
    assert listing['big']['hosts'] == ['one']
    assert variables['one']['account_label'] == 'One/S2' and variables['two']['account_label'] == 'two/S1'


# -- item 8: accounts are reached locally, with the controller's Python ------------------------------------------------

PLAY = """
- hosts: azureml_accounts
  gather_facts: false
  tasks:
    - name: reach the host
      ansible.builtin.ping:
    - name: a module of this collection, which needs requests and azure-identity
      azureml.model_management.account_info:
        name: "{{ azureml_account.name }}"
        resource_group: "{{ azureml_account.resource_group }}"
"""


def test_a_play_without_connection_local_reaches_the_accounts(emulator, env, tmp_path):
    """No ``connection: local`` and no ``ansible_python_interpreter`` from the command line or the play."""
    emulator.put_account('scoring', RG)
    play = tmp_path / 'play.yml'
    play.write_text(PLAY)
    results = tmp_path / 'results.jsonl'
    run_env = dict(env, RESULT_FILE=str(results), ANSIBLE_LOAD_CALLBACK_PLUGINS='true', ANSIBLE_CALLBACKS_ENABLED='result_file',
                   ANSIBLE_CALLBACK_PLUGINS=CALLBACK_DIR)
    command = [os.path.join(BIN_DIR, 'ansible-playbook'), str(play), '-i', write_source(tmp_path, {'resource_groups': [RG]})]
    process = subprocess.run(command, env=run_env, capture_output=True, text=True, timeout=300, check=False, cwd=str(tmp_path))
    assert process.returncode == 0, process.stdout + process.stderr
    records = [json.loads(line) for line in results.read_text().splitlines()]
    assert [(r['task'], r['status']) for r in records] == [('reach the host', 'ok'), ('a module of this collection, which needs requests and '
                                                           'azure-identity', 'ok')], records
    assert records[1]['result']['accounts'][0]['name'] == 'scoring'


def only_host(listing):
    (variables,) = hostvars(listing).values()
    return variables


def test_the_connection_defaults_can_be_overridden(emulator, env, tmp_path):
    emulator.put_account('scoring', RG)
    default = only_host(inventory_list(env, write_source(tmp_path, {'resource_groups': [RG]})))
    assert default['ansible_connection'] == 'local' and default['ansible_python_interpreter'] == '{{ ansible_playbook_python }}'
    composed = only_host(inventory_list(env, write_source(tmp_path, {'resource_groups': [RG], 'compose': {'ansible_connection': "'ssh'"}},
                                                          name='composed.azureml_accounts.yml')))
    assert composed['ansible_connection'] == 'ssh'
    off = only_host(inventory_list(env, write_source(tmp_path, {'resource_groups': [RG], 'local_connection': False},
                                                     name='off.azureml_accounts.yml')))
    assert 'ansible_connection' not in off and 'ansible_python_interpreter' not in off
