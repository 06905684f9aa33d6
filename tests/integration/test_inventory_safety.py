"""The inventory plugin: what Azure says is data, never code, on every supported ansible-core (issue 14, items 1, 6, 7).

Accounts carry Jinja payloads in their names, tag names, tag values and descriptions: a ``pipe`` lookup that would
create a file, and ``{{ 7*7 }}``, which would turn into ``49``. They go through the plugin's own EXAMPLES
(``keyed_groups`` on location, SKU and tags), ``groups``, ``compose``, host filters and a playbook that prints every
value. Before ansible-core 2.19 any string that is not marked unsafe is rendered as a template, so each of these
paths is checked on the oldest (2.16) and the newest (2.21) legs: no file may appear, no ``49`` anywhere, and every
value must come out exactly as Azure holds it.
"""
import glob
import json
import os
import subprocess

import pytest

from fleet import hostvars, parse_listing, write_source  # pylint: disable=import-error
from harness import BIN_DIR  # pylint: disable=import-error

RG = 'it-rg'
SEVEN = '{{ 7*7 }}'


def payloads(directory):
    """The hostile texts: each pipe lookup would create its own file under ``directory`` (names cannot hold '/')."""
    def pipe(what):
        return "{{ lookup('pipe', 'touch %s/pwned-%s') }}" % (directory, what)
    return {
        'name': "{{ lookup('pipe', 'touch pwned-name') }}",  # relative: the commands run in ``directory``
        'short_name': 'seven' + SEVEN,
        'tag_value': pipe('tag-value'),
        'tag_name': SEVEN,
        'description': pipe('description') + SEVEN,
        'block': "{% for x in [1] %}" + pipe('block') + "{% endfor %}",
    }


def arrange(emulator, texts):
    emulator.put_account(texts['name'], RG, tags={'seven': SEVEN, 'pipe': texts['tag_value'], texts['tag_name']: 'tag-name'},
                         description=texts['description'])
    emulator.put_account(texts['short_name'], RG, tags={'block': texts['block']}, description=SEVEN)
    emulator.put_account('plain', RG, tags={'team': 'a'}, description='nothing to see')


def inventory(env, source, cwd, *args):
    command = [os.path.join(BIN_DIR, 'ansible-inventory'), '-i', source] + list(args)
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def pwned(directory):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(str(directory), '**', 'pwned*'), recursive=True))


EXAMPLE_KEYED_GROUPS = [{'key': 'azureml_account.location', 'prefix': 'location'},
                        {'key': 'azureml_account.sku.name', 'prefix': 'sku'},
                        {'key': 'azureml_account.tags', 'prefix': 'tag'}]


def source_options():
    return {
        'resource_groups': [RG],
        'keyed_groups': EXAMPLE_KEYED_GROUPS + [{'key': 'azureml_account.name', 'prefix': 'name'},
                                                {'key': 'azureml_account.description', 'prefix': 'description'}],
        'groups': {'described': "azureml_account.description is string and azureml_account.description | length > 3",
                   'seven_tagged': "'seven' in azureml_account.tags"},
        'compose': {'ansible_connection': "'local'", 'account_description': 'azureml_account.description',
                    'account_label': "azureml_account.name ~ '/' ~ (azureml_account.tags.seven | default(''))"},
    }


UNPARSED_FAILED = {'ANSIBLE_INVENTORY_UNPARSED_FAILED': 'true'}  # a source that fails fails the command, as in AWX


@pytest.fixture
def env(ansible):
    return ansible.environment(extra=UNPARSED_FAILED)


def test_template_payloads_stay_text_through_groups_compose_and_list(emulator, env, tmp_path):
    texts = payloads(tmp_path)
    arrange(emulator, texts)
    source = write_source(tmp_path, source_options())

    graph = inventory(env, source, str(tmp_path), '--graph')
    assert graph.returncode == 0, graph.stderr
    listed = inventory(env, source, str(tmp_path), '--list')
    assert listed.returncode == 0, listed.stderr
    assert pwned(tmp_path) == []
    listing = parse_listing(listed.stdout)
    groups = set(listing) - {'_meta'}
    assert not [group for group in groups if '49' in group], groups
    assert '49' not in graph.stdout and '49' not in listed.stdout

    by_name = {v['azureml_account']['name']: v for v in hostvars(listing).values()}
    assert set(by_name) == {texts['name'], texts['short_name'], 'plain'}
    hostile = by_name[texts['name']]
    assert hostile['azureml_account']['tags'] == {'seven': SEVEN, 'pipe': texts['tag_value'], texts['tag_name']: 'tag-name'}
    assert hostile['azureml_account']['description'] == texts['description']
    assert hostile['account_description'] == texts['description']
    assert hostile['account_label'] == texts['name'] + '/' + SEVEN
    assert by_name[texts['short_name']]['azureml_account']['tags'] == {'block': texts['block']}
    assert by_name[texts['short_name']]['account_description'] == SEVEN
    hosts_of = {group: set(listing[group].get('hosts', [])) for group in groups}
    assert len(hosts_of['described']) == 3 and len(hosts_of['seven_tagged']) == 1


PLAY = """
- hosts: azureml_accounts
  gather_facts: false
  tasks:
    - name: description
      ansible.builtin.debug:
        msg: "{{ azureml_account.description }}"
    - name: tags
      ansible.builtin.debug:
        msg: "{{ azureml_account.tags }}"
    - name: names
      ansible.builtin.debug:
        msg: "{{ [inventory_hostname, inventory_hostname_short, azureml_account.name, azureml_account.id] }}"
    - name: group names
      ansible.builtin.debug:
        msg: "{{ group_names }}"
    - name: composed
      ansible.builtin.debug:
        msg: "{{ [account_description, account_label] }}"
    - name: every host of every group
      ansible.builtin.debug:
        msg: "{{ groups }}"
      run_once: true
    - name: hostvars of another host
      ansible.builtin.debug:
        msg: "{{ hostvars[groups['azureml_accounts'] | first].azureml_account }}"
      run_once: true
"""


def test_a_playbook_prints_the_payloads_as_they_are(ansible, emulator, tmp_path):
    texts = payloads(tmp_path)
    arrange(emulator, texts)
    source = write_source(tmp_path, source_options())
    play = tmp_path / 'print.yml'
    play.write_text(PLAY)
    process, records = ansible.playbook_results(str(play), '-i', source, extra=UNPARSED_FAILED)
    assert process.returncode == 0, process.stdout + process.stderr
    assert pwned(tmp_path) == []
    assert len(records) == 3 * 5 + 2, [r['task'] for r in records]
    shown = json.dumps([r['result'].get('msg') for r in records])
    assert '49' not in shown and '49' not in process.stdout

    def msgs(task):
        return {r['host']: r['result']['msg'] for r in records if r['task'] == task}
    descriptions = set(msgs('description').values())
    assert descriptions == {texts['description'], SEVEN, 'nothing to see'}
    assert {json.dumps(m, sort_keys=True) for m in msgs('tags').values()} == {
        json.dumps(t, sort_keys=True) for t in ({'seven': SEVEN, 'pipe': texts['tag_value'], texts['tag_name']: 'tag-name'},
                                                {'block': texts['block']}, {'team': 'a'})}
    names = {m[2]: m for m in msgs('names').values()}
    assert set(names) == {texts['name'], texts['short_name'], 'plain'}
    for host, message in msgs('names').items():
        assert message[0] == host and message[1] == host.split('.')[0]
        assert message[3].endswith('/accounts/' + message[2])
    tag_groups = [group for groups in msgs('group names').values() for group in groups if group.startswith('tag_seven_')]
    assert tag_groups and 'tag_seven_49' not in tag_groups  # the payload, as is (2.16) or sanitized (2.19+: tag_seven____7_7___)
    composed = {m[1]: m for m in msgs('composed').values()}
    assert composed[texts['name'] + '/' + SEVEN][0] == texts['description']


def test_host_filters_see_the_payloads_as_text(emulator, env, tmp_path):
    texts = payloads(tmp_path)
    arrange(emulator, texts)
    source = write_source(tmp_path, {
        'resource_groups': [RG],
        'include_host_filters': ["azureml_account.description is search('7')", "azureml_account.tags.team | default('') == 'a'"],
        'exclude_host_filters': ["azureml_account.tags.block is defined and azureml_account.tags.block is search('pwned')"],
    })
    listed = inventory(env, source, str(tmp_path), '--list')
    assert listed.returncode == 0, listed.stderr
    assert pwned(tmp_path) == []
    names = {v['azureml_account']['name'] for v in hostvars(parse_listing(listed.stdout)).values()}
    assert names == {texts['name'], 'plain'}  # short_name: its description matches, but its block tag is excluded


def test_a_host_filter_that_fails_is_false_or_with_strict_an_error(emulator, env, tmp_path):
    emulator.put_account('plain', RG)
    options = {'resource_groups': [RG], 'exclude_host_filters': ['azureml_account.nope.deeper == 1']}
    lenient = inventory(env, write_source(tmp_path, options), str(tmp_path), '--list')
    assert lenient.returncode == 0, lenient.stderr
    assert list(hostvars(parse_listing(lenient.stdout))) == ['plain@it-rg']  # not excluded
    strict = inventory(env, write_source(tmp_path, dict(options, strict=True), name='strict.azureml_accounts.yml'), str(tmp_path), '--list')
    assert strict.returncode != 0
    message = ''.join(strict.stderr.split())
    assert 'cannotevaluatethehostfilter' in message and emulator.account_path('plain', RG) in message


# -- item 6: no secret in any output ----------------------------------------------------------------------------------

TOKEN_PATH = '/oauth2/v2.0/token$'


def echoing_identity(emulator):
    """The identity endpoint refuses the token request and quotes the posted form, secret included."""
    form = 'grant_type=client_credentials&client_id=%s&client_secret=%s&scope=%s/.default' % (
        emulator.env['AZURE_CLIENT_ID'], emulator.env['AZURE_SECRET'], emulator.url)
    body = {'error': 'invalid_client', 'error_description': 'AADSTS7000215: Invalid client secret provided. Request: ' + form,
            'error_codes': [7000215]}
    emulator.fault(method='POST', path=TOKEN_PATH, status=400, body=body, count=20)


@pytest.mark.parametrize('where, fail_on_list_errors', [('source', True), ('source', False), ('environment', True), ('environment', False)])
def test_no_secret_in_any_output_at_vvvv(ansible, emulator, tmp_path, where, fail_on_list_errors):
    echoing_identity(emulator)
    secret = emulator.env['AZURE_SECRET']
    options = {'resource_groups': [RG], 'fail_on_list_errors': fail_on_list_errors}
    if where == 'source':
        env = ansible.environment(drop_auth=True, extra={'AZURE_CLOUD_ENVIRONMENT': emulator.env['AZURE_CLOUD_ENVIRONMENT'],
                                                         'AZURE_SUBSCRIPTION_ID': emulator.subscription, **UNPARSED_FAILED})
        options.update(client_id=emulator.env['AZURE_CLIENT_ID'], secret=secret, tenant=emulator.env['AZURE_TENANT'])
    else:
        env = ansible.environment(extra=UNPARSED_FAILED)
    process = inventory(env, write_source(tmp_path, options), str(tmp_path), '--list', '-vvvv')
    assert (process.returncode != 0) == fail_on_list_errors, process.stderr
    output = process.stdout + process.stderr
    assert 'AADSTS7000215' in output  # the refusal is reported...
    assert secret not in output  # ...without the secret, by the plugin and by azure-identity's and msal's loggers
    assert [e for e in emulator.journal(kind='identity') if e['method'] == 'POST']  # the token request was made


# -- item 7: validate_certs false is never silent ---------------------------------------------------------------------

def test_validate_certs_false_warns(emulator, env, tmp_path):
    emulator.put_account('plain', RG)
    insecure = write_source(tmp_path, {'resource_groups': [RG], 'validate_certs': False}, name='insecure.azureml_accounts.yml')
    process = inventory(env, insecure, str(tmp_path), '--list')
    assert process.returncode == 0, process.stderr
    assert 'validate_certs is false' in process.stderr and 'bearer token' in process.stderr
    secure = inventory(env, write_source(tmp_path, {'resource_groups': [RG]}), str(tmp_path), '--list')
    assert secure.returncode == 0 and 'validate_certs' not in secure.stderr
