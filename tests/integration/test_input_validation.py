"""Bad input fails before anything is sent, with a message naming the option and the rule.

The refused inputs run as one playbook (one task per case, ``ignore_errors``) against a freshly reset emulator:
each case is then asserted on its own task result, and the whole run on the emulator's journal, which must
stay empty (no identity and no Resource Manager request). One ansible-playbook process instead of one
``ansible`` process per case keeps the ~38 cases at about 50 s instead of about 120 s
(a module run costs about 1.5 s here).
"""
import json
import os

import pytest

from harness import Ansible  # pylint: disable=import-error

GOOD = {'name': 'mma-valid', 'resource_group': 'it-rg', 'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}}


REFUSED = [
    # (id, module, override, words the message must hold); an account task is GOOD with the override applied
    ('name-slash', 'account', dict(name='bad/name'), ['name']),
    ('name-long', 'account', dict(name='x' * 261), ['name', '260']),
    ('rg-chars', 'account', dict(resource_group='bad rg!'), ['resource_group']),
    ('rg-dot', 'account', dict(resource_group='ends-with-dot.'), ['resource_group']),
    ('sku-name', 'account', dict(sku={'name': 'S9', 'capacity': 1}), ['sku', 'S9']),
    ('capacity-high', 'account', dict(sku={'name': 'S1', 'capacity': 17}), ['capacity', '16']),
    ('capacity-zero', 'account', dict(sku={'name': 'S1', 'capacity': 0}), ['capacity']),
    ('tag-name-chars', 'account', dict(tags={'a<b': 'x'}), ['tag']),
    ('tag-value-long', 'account', dict(tags={'k': 'v' * 257}), ['tag', '256']),
    ('tag-count', 'account', dict(tags=dict(('t%d' % i, 'v') for i in range(51))), ['tags', '50']),
    ('tag-name-case-duplicate', 'account', dict(tags={'Env': 'a', 'ENV': 'b'}), ['tag']),
    ('subscription-id', 'account', dict(subscription_id='not-a-guid'), ['subscription_id']),
    # issue 6, defect 7: these reached Resource Manager before.
    ('tag-name-nul', 'account', dict(tags={'env\x00': 'x'}), ['tags', 'control characters']),
    ('tag-name-del', 'account', dict(tags={'env\x7f': 'x'}), ['tags', 'control characters']),
    ('tag-name-c1-85', 'account', dict(tags={'env\x85': 'x'}), ['tags', 'control characters']),
    ('tag-name-c1-9f', 'account', dict(tags={'env\x9f': 'x'}), ['tags', 'control characters']),
    ('name-c1-85', 'account', dict(name='mma\x85'), ['name', 'control characters']),
    ('location-list', 'account', dict(location=['eastus']), ['location', 'a list']),
    ('location-bool', 'account', dict(location=True), ['location', 'a boolean']),
    ('description-dict', 'account', dict(description={'a': 'b'}), ['description', 'a dictionary']),
    ('name-list', 'account', dict(name=['mma-valid']), ['name', 'a list']),
    ('rg-dict', 'account', dict(resource_group={'it-rg': None}), ['resource_group', 'a dictionary']),
    ('sku-name-list', 'account', dict(sku={'name': ['S1'], 'capacity': 1}), ['sku.name', 'a list']),
    ('tag-value-list', 'account', dict(tags={'env': ['prod']}), ['tags', 'string']),
    ('info-name-list', 'account_info', {'name': ['x'], 'resource_group': 'it-rg'}, ['name', 'a list']),
    ('info-tag-filter-dict', 'account_info', {'tags': [{'env': 'prod'}]}, ['tags', 'a dictionary']),
    ('api-version-list', 'operations_info', {'api_version': ['2017-09-01-preview']}, ['api_version', 'a list']),
    ('secret-list', 'account_info', {'secret': ['s3cr3t-value']}, ['secret', 'a list']),
    # issue 15.3: booleans passed Ansible's int (wait_timeout: true meant 1 s) and huge numbers crashed the transport
    ('timeout-true', 'account', dict(timeout=True), ['timeout', 'from 1 to 600 seconds', 'a boolean']),
    ('timeout-huge', 'account_info', {'timeout': 10000000000}, ['timeout', 'from 1 to 600 seconds', '10000000000']),
    ('timeout-zero', 'operations_info', {'timeout': 0}, ['timeout', 'from 1 to 600 seconds']),
    ('wait-timeout-true', 'account', dict(wait_timeout=True), ['wait_timeout', 'from 1 to 86400 seconds', 'a boolean']),
    ('wait-timeout-huge', 'account', dict(wait_timeout=10 ** 12), ['wait_timeout', 'from 1 to 86400 seconds']),
    ('capacity-true', 'account', dict(sku={'name': 'S1', 'capacity': True}), ['sku.capacity', 'from 1 to 16', 'a boolean']),
] + [
    ('api-version-%s-%s' % (module, case), module, dict(api_version=value), ['api_version', 'YYYY-MM-DD', '-preview'])
    for module in ('account', 'account_info', 'operations_info')
    for case, value in (('empty', ''), ('query', '2017-09-01-preview&x=y'))
] + [  # the other format rules are unit-tested (test_check_api_version_refuses); one more through a module:
    ('api-version-account-newline', 'account', dict(api_version='2017-09-01-preview\n'), ['api_version', 'YYYY-MM-DD']),
] + [  # issue 15, item 2: whitespace and line breaks around names and in credentials (docs/decisions.md, issue 15)
    ('rg-trailing-newline-absent', 'account', dict(resource_group='it-rg\n', state='absent'), ['resource_group', 'may contain only']),
    ('info-rg-trailing-newline', 'account_info', {'resource_group': 'it-rg\n'}, ['resource_group', 'may contain only']),
    ('name-leading-space', 'account', dict(name=' mma-valid'), ['name', 'whitespace']),
    ('name-line-separator', 'account', dict(name='mma-valid\u2028'), ['name', 'line breaks']),
    ('tag-name-trailing-space', 'account', dict(tags={'env ': 'x'}), ['tags', 'whitespace']),
    ('info-tag-filter-newline', 'account_info', {'tags': ['env\n']}, ['tags', 'line breaks']),
    ('secret-trailing-newline', 'account_info', {'client_id': 'c', 'tenant': 't', 'secret': 's3cr3t-value\n'}, ['secret', 'line break']),
    ('token-cache-dir-newline', 'account_info', {'token_cache': 'allow_unencrypted', 'token_cache_dir': 'token-cache\n'},
     ['token_cache_dir', 'line break']),
] + [  # issue 15, item 9: lengths as Azure counts them (UTF-16 code units): 129 emoji are 258 units
    ('tag-value-emoji', 'account', dict(tags={'k': '\U0001F600' * 129}), ['tag', '256', 'UTF-16']),
    ('name-emoji', 'account', dict(name='\U0001F600' * 131), ['name', '260', 'UTF-16']),
]


def task_args(module, override):
    return dict(GOOD, **override) if module == 'account' else dict(override)


@pytest.fixture(scope='module')
def refused(emulator_process, tmp_path_factory):
    """Run every REFUSED case as one task of one playbook; return ({case id: task record}, journal of the whole run)."""
    work_dir = str(tmp_path_factory.mktemp('refused'))
    tasks = [{'name': case[0], 'azureml.model_management.' + case[1]: task_args(case[1], case[2]), 'ignore_errors': True}
             for case in REFUSED]
    path = os.path.join(work_dir, 'refused.yml')
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], handle)  # JSON is YAML; escapes stay escapes
    emulator_process.reset()
    emulator_process.clear_journal()
    process, records = Ansible(emulator_process, work_dir).playbook_results(path)
    assert len(records) == len(REFUSED), process.stdout + process.stderr
    return dict((record['task'], record) for record in records), emulator_process.journal(kind=None)


@pytest.mark.parametrize('module, override, words', [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED])
def test_bad_input_fails_before_any_request(refused, emulator, request, module, override, words):
    """Refused by the module before any request, with a message naming the option and the rule."""
    record = refused[0][request.node.callspec.id]
    assert record['status'] == 'failed', (module, override, record['result'])
    for word in words:
        assert word.lower() in record['result']['msg'].lower(), record['result']['msg']
    # The batch's journal: no identity and no Resource Manager request from any case (a request cannot be
    # attributed to one task for sure, so any request fails every case). ``emulator`` is requested so that the
    # reliability report's hook (conftest.py) records this case; its journal after this test is empty by reset.
    assert refused[1] == [], [(entry['kind'], entry['method'], entry['path']) for entry in refused[1]]


def test_secret_given_as_a_list_is_refused_without_echoing_it(refused):
    """The message of a refused secret names the option and the kind of value, never the value."""
    msg = refused[0]['secret-list']['result']['msg']
    assert 'secret must be a string, got a list' in msg and 's3cr3t-value' not in msg


def test_missing_subscription_names_option_and_variable(ansible, emulator):
    env = {key: value for key, value in emulator.env.items() if key != 'AZURE_SUBSCRIPTION_ID'}
    result = ansible.module('account_info', {}, drop_auth=True, auth_env=env)
    assert result['failed'] is True
    assert 'subscription_id' in result['msg'] and 'AZURE_SUBSCRIPTION_ID' in result['msg']
    assert emulator.journal(kind='arm') == []


def test_info_name_requires_resource_group(ansible, emulator):
    result = ansible.module('account_info', {'name': 'x'})
    assert result['failed'] is True and 'resource_group' in result['msg']
    assert emulator.journal(kind=None) == []


def test_a_number_for_a_string_option_is_written_as_text(ansible, emulator):
    """`description: 123` is what an Ansible user expects to work: it is stored as "123"."""
    result = ansible.module('account', dict(GOOD, description=123))
    assert result['failed'] is False and result['changed'] is True, result.get('msg')
    assert result['account']['properties']['description'] == '123'
    puts = [entry for entry in emulator.journal() if entry['method'] == 'PUT']
    assert len(puts) == 1


@pytest.mark.parametrize('etags', [True, False], ids=['etags', 'no-etags'])  # without etags tags go by the Tags API merge
def test_a_merged_tag_set_over_50_is_refused_after_the_get_and_before_any_write(ansible, emulator, etags):
    """An account with 50 tags and a task adding one more (append_tags): refused after the GET, nothing written."""
    emulator.configure(etags=etags)
    emulator.put_account('mma-full', tags=dict(('t%02d' % i, 'v') for i in range(50)))
    emulator.clear_journal()
    result = ansible.module('account', {'name': 'mma-full', 'resource_group': 'it-rg', 'tags': {'one-more': 'x'}})
    assert result['failed'] is True
    assert 'tags' in result['msg'] and '50' in result['msg'] and '51' in result['msg'], result['msg']
    assert emulator.calls() == [('GET', emulator.account_path('mma-full'))]
    assert len(emulator.get_account('mma-full')['tags']) == 50


def test_a_well_formed_api_version_is_sent_as_given(ansible, emulator):
    """The format check does not decide which versions exist: Resource Manager does (the emulator serves one)."""
    result = ansible.module('operations_info', {'api_version': '2017-09-01'})
    assert result['failed'] is True and 'api-version' in result['msg'].lower(), result['msg']
    queries = [entry['query'] for entry in emulator.journal()]
    assert queries == [{'api-version': '2017-09-01'}]


def test_a_secret_with_a_line_break_is_refused_without_echoing_it(refused):
    """The message names the option and the rule, never the value (issue 15, item 2)."""
    msg = refused[0]['secret-trailing-newline']['result']['msg']
    assert 'secret' in msg and 's3cr3t-value' not in msg


def test_ids_copied_with_a_trailing_newline_are_trimmed(ansible, emulator):
    """A subscription, client or tenant ID pasted with a line break (AWX credential fields, exported variables) is
    trimmed: an ID never holds whitespace. The requests then name the right subscription and client (issue 15, item 2)."""
    emulator.put_account('trimmed')
    env = dict(emulator.env, AZURE_SUBSCRIPTION_ID=emulator.subscription + '\n', AZURE_CLIENT_ID=' ' + emulator.env['AZURE_CLIENT_ID'] + '\n',
               AZURE_TENANT=emulator.env['AZURE_TENANT'] + '\r\n')
    emulator.clear_journal()
    result = ansible.module('account_info', {'name': 'trimmed', 'resource_group': 'it-rg'}, drop_auth=True, auth_env=env)
    assert not result['failed'], result.get('msg')
    assert [a['name'] for a in result['accounts']] == ['trimmed']
    tokens = [e for e in emulator.journal('identity') if e['method'] == 'POST']
    assert len(tokens) == 1 and tokens[0]['body']['client_id'] == emulator.env['AZURE_CLIENT_ID'] and tokens[0]['status'] == 200
    assert emulator.calls() == [('GET', emulator.account_path('trimmed'))]
