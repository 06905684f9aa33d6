"""The fleet module azureml.model_management.accounts against the emulator: what it sends (the journal) and returns.

Tens of accounts, paged by 10 so that every listing has several pages; the large numbers are in tests/bench/fleet_bench.py.
"""
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness import PROVIDER  # pylint: disable=import-error

MANAGED = {'managed-by': 'ansible'}
ACCOUNT = re.compile(r'/resourceGroups/([^/]+)/providers/%s/accounts/([^/]+)$' % PROVIDER, re.I)
LIST = re.compile(r'/resourceGroups/([^/]+)/providers/%s/accounts$' % PROVIDER, re.I)


def spec(index, **over):
    entry = {'name': 'fleet-%02d' % index, 'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}, 'tags': dict(MANAGED)}
    entry.update(over)
    return entry


def arrange(emulator, count, group='it-rg'):
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: emulator.put_account('fleet-%02d' % i, group, tags=dict(MANAGED)), range(count)))
    emulator.configure(page_size=10)
    emulator.clear_journal()


def sent(emulator):
    """(METHOD, 'group/name' or 'LIST group', If-Match, If-None-Match, status) of every ARM request, lower case."""
    found = []
    for entry in emulator.journal():
        account, listing = ACCOUNT.search(entry['path']), LIST.search(entry['path'])
        where = '%s/%s' % account.groups() if account else 'LIST %s' % listing.group(1) if listing else entry['path']
        found.append((entry['method'], where.lower(), entry['headers'].get('If-Match'), entry['headers'].get('If-None-Match'),
                      entry['status']))
    return found


def test_a_fleet_with_no_change_is_listed_once_and_nothing_else(ansible, emulator):
    arrange(emulator, 30)
    result = ansible.module('accounts', {'resource_group': 'it-rg', 'accounts': [spec(i) for i in range(30)]})
    assert result['changed'] is False and not result['failed']
    assert result['counts']['unchanged'] == 30 and result['counts']['failed'] == 0
    assert [(m, where) for m, where, _im, _inm, _s in sent(emulator)] == [('GET', 'list it-rg')] * 3  # 3 pages of 10
    assert len(emulator.journal('identity')) <= 2  # one token for the task (discovery + token)


def test_plan_then_apply_only_the_writes_each_conditional(ansible, emulator):
    arrange(emulator, 12)
    etags = dict((a['name'], a['etag']) for a in [emulator.get_account('fleet-%02d' % i) for i in range(12)])
    emulator.put_account('hand-made', 'it-rg', tags={'owner': 'someone'})
    emulator.put_account('elsewhere', 'demo-rg', tags=dict(MANAGED))
    emulator.clear_journal()
    args = {'resource_group': 'it-rg', 'purge': True, 'purge_resource_groups': ['it-rg'], 'purge_tags': MANAGED,
            'accounts': [spec(i) for i in range(8)] + [spec(1, sku={'name': 'S2', 'capacity': 2}),
                                                       spec(20), spec(21), {'name': 'fleet-09', 'state': 'absent'}]}
    del args['accounts'][1]  # fleet-01 declared once, changed

    check = ansible.module('accounts', args, check=True, diff=True)
    assert check['changed'] is True and sent(emulator) == [('GET', 'list it-rg', None, None, 200)] * 2
    planned = dict((r['name'], r['action']) for r in check['accounts'] if r['action'] != 'none')
    assert planned == {'fleet-01': 'update', 'fleet-20': 'create', 'fleet-21': 'create', 'fleet-09': 'delete',
                       'fleet-08': 'purge', 'fleet-10': 'purge', 'fleet-11': 'purge'}
    headers = sorted(d['before_header'] for d in check['diff'])
    assert headers == sorted('account %s (resource group it-rg)' % name for name in planned)

    emulator.clear_journal()
    real = ansible.module('accounts', args, diff=True)
    assert real['changed'] is True and not real['failed']
    assert dict((r['name'], r['action']) for r in real['accounts'] if r['changed']) == planned
    writes = sorted(entry for entry in sent(emulator) if entry[0] != 'GET')
    assert writes == sorted([
        ('PATCH', 'it-rg/fleet-01', etags['fleet-01'], None, 200),
        ('PUT', 'it-rg/fleet-20', None, '*', 201), ('PUT', 'it-rg/fleet-21', None, '*', 201),
        ('DELETE', 'it-rg/fleet-09', etags['fleet-09'], None, 200),
        ('DELETE', 'it-rg/fleet-08', etags['fleet-08'], None, 200),
        ('DELETE', 'it-rg/fleet-10', etags['fleet-10'], None, 200),
        ('DELETE', 'it-rg/fleet-11', etags['fleet-11'], None, 200)])
    assert [entry for entry in sent(emulator) if entry[0] == 'GET'] == [('GET', 'list it-rg', None, None, 200)] * 2
    assert emulator.get_account('hand-made') and emulator.get_account('elsewhere', 'demo-rg')
    assert real['summary'][0] == 'Done for subscription %s: 2 added, 1 changed, 4 destroyed' % emulator.subscription
    assert real['summary'][1].startswith('create 2, update 1, repair 0, delete 1, purge 3, unchanged 7')

    emulator.clear_journal()
    again = ansible.module('accounts', args)
    assert again['changed'] is False and all(entry[0] == 'GET' for entry in sent(emulator))


def test_one_accounts_failure_does_not_stop_the_others_and_the_task_names_it(ansible, emulator):
    emulator.fault(method='PUT', path='/accounts/fleet-03$', status=400, count=5,
                   body={'code': 'InvalidSkuName', 'message': 'The SKU is not available here.'})
    result = ansible.module('accounts', {'resource_group': 'it-rg', 'accounts': [spec(i) for i in range(6)]})
    assert result['failed'] is True and result['changed'] is True
    assert '1 of 6 accounts failed: fleet-03 (it-rg): The SKU is not available here.' in result['msg']
    failed = [r for r in result['accounts'] if r['error']]
    assert [(r['name'], r['error']['code']) for r in failed] == [('fleet-03', 'InvalidSkuName')]
    assert sorted(where for m, where, _a, _b, status in sent(emulator) if m == 'PUT' and status == 201) == \
        ['it-rg/fleet-%02d' % i for i in (0, 1, 2, 4, 5)]


@pytest.mark.parametrize('answer', [{'status': 403, 'body': {'error': {'code': 'AuthorizationFailed', 'message': 'no'}}},
                                    {'status': 200, 'body': '<html>maintenance</html>', 'headers': {'Content-Type': 'text/html'}}],
                         ids=['refused', 'not json'])
def test_a_purge_scope_that_cannot_be_listed_means_no_delete_at_all(ansible, emulator, answer):
    emulator.put_account('stale', 'demo-rg', tags=dict(MANAGED))
    emulator.put_account('old', 'it-rg')
    emulator.fault(method='GET', path=r'/resourceGroups/demo-rg/providers/%s/accounts$' % PROVIDER, count=20, **answer)
    emulator.clear_journal()
    result = ansible.module('accounts', {'resource_group': 'it-rg', 'purge': True, 'purge_resource_groups': ['demo-rg'],
                                         'accounts': [spec(1), {'name': 'old', 'state': 'absent'}]})
    assert result['failed'] is True
    assert [m for m, _w, _a, _b, _s in sent(emulator) if m == 'DELETE'] == []
    assert 'the purge scope could not be listed completely' in result['msg'] and 'old (it-rg)' in result['msg']
    assert [(m, where) for m, where, _a, _b, _s in sent(emulator) if m != 'GET'] == [('PUT', 'it-rg/fleet-01')]


def test_a_429_pauses_the_run_and_every_write_still_lands(ansible, emulator):
    emulator.fault(method='PUT', path='/accounts/fleet-0[0-2]$', status=429, count=3, headers={'Retry-After': '1'},
                   body={'error': {'code': 'TooManyRequests', 'message': 'Throttled'}})
    result = ansible.module('accounts', {'resource_group': 'it-rg', 'accounts': [spec(i) for i in range(10)], 'concurrency': 5})
    assert not result['failed'] and result['counts']['create'] == 10 and result['throttled'] >= 1
    assert len([1 for m, _w, _a, _b, status in sent(emulator) if m == 'PUT' and status == 201]) == 10


@pytest.mark.parametrize('args, words', [
    ({'accounts': [spec(1), spec(1)]}, 'accounts[0] and accounts[1] both declare'),
    ({'accounts': [spec(1)], 'concurrency': 0}, 'concurrency must be from 1 to 64'),
    ({'accounts': [spec(1)], 'purge': True}, 'purge needs purge_resource_groups'),
    ({'accounts': [], 'purge': True, 'purge_resource_groups': ['it-rg']}, 'accounts is empty and purge is on'),
    ({'accounts': [spec(1, location=['eastus'])]}, 'accounts[0].location must be a string'),
    ({'accounts': [spec(1)], 'purge_tags': 'managed-by:ansible'}, 'purge_tags must be a dictionary'),
    ({'accounts': [spec(1)], 'restrict_to': [{'name': 'x'}]}, 'restrict_to[0]: an account needs its id'),
])
def test_bad_input_is_refused_before_any_request(ansible, emulator, args, words):
    result = ansible.module('accounts', dict({'resource_group': 'it-rg'}, **args))
    assert result['failed'] is True and words in result['msg'], result['msg']
    assert emulator.journal(kind=None) == []


def test_check_mode_names_busy_accounts_without_waiting(ansible, emulator):
    emulator.put_account('fleet-01', 'it-rg', tags=dict(MANAGED))
    emulator.control('POST', 'provisioning-state', {'resource_group': 'it-rg', 'name': 'fleet-01', 'state': 'Deleting',
                                                    'settle_to': 'Succeeded', 'after_seconds': 60})
    emulator.clear_journal()
    result = ansible.module('accounts', {'resource_group': 'it-rg', 'accounts': [spec(1), spec(2)]}, check=True)
    assert result['busy'] == ['it-rg/fleet-01']
    assert [r['provisioning_state'] for r in result['accounts'] if r['busy']] == ['Deleting']
    assert [m for m, _w, _a, _b, _s in sent(emulator)] == ['GET']
