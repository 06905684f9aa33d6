"""The fleet module azureml.model_management.accounts against the emulator: what it sends (the journal) and returns.

Tens of accounts, paged by 10 so that every listing has several pages; the large numbers are in tests/bench/fleet_bench.py.
"""
import json
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
    assert result['msg'].startswith('this run deletes nothing because a resource group could not be listed completely (1 delete '
                                    'withheld); cannot list resource group demo-rg of purge_resource_groups: '), result['msg']
    assert [(r['name'], r.get('withheld')) for r in result['accounts'] if r['action'] == 'delete'] == [('old', True)]
    assert [(m, where) for m, where, _a, _b, _s in sent(emulator) if m != 'GET'] == [('PUT', 'it-rg/fleet-01')]


def test_a_429_pauses_the_run_and_every_write_still_lands(ansible, emulator):
    emulator.fault(method='PUT', path='/accounts/fleet-0[0-2]$', status=429, count=3, headers={'Retry-After': '1'},
                   body={'error': {'code': 'TooManyRequests', 'message': 'Throttled'}})
    result = ansible.module('accounts', {'resource_group': 'it-rg', 'accounts': [spec(i) for i in range(10)], 'concurrency': 5})
    assert not result['failed'] and result['counts']['create'] == 10 and result['throttle_pauses'] >= 1
    assert len([1 for m, _w, _a, _b, status in sent(emulator) if m == 'PUT' and status == 201]) == 10


@pytest.mark.parametrize('args, words', [
    ({'accounts': [spec(1), spec(1)]}, 'accounts[0] and accounts[1] both declare'),
    ({'accounts': [spec(1)], 'concurrency': 0}, 'concurrency must be from 1 to 64'),
    ({'accounts': [spec(1)], 'purge': True}, 'purge needs purge_resource_groups'),
    ({'accounts': [], 'purge': True, 'purge_resource_groups': ['it-rg']}, 'accounts is empty and purge is on'),
    ({'accounts': [spec(1, location=['eastus'])]}, 'accounts[0].location must be a string'),
    ({'accounts': [spec(1)], 'purge_tags': 'managed-by:ansible'}, 'purge_tags must be a dictionary'),
    ({'accounts': [spec(1)], 'restrict_to': [{'name': 'x'}]}, 'restrict_to[0]: an account needs its id'),
    ({'accounts': ['acc1', 'acc2']}, 'accounts[0]: must be a dictionary with name, resource_group, location, sku'),
    ({'accounts': [spec(1, sku='S1')]}, 'accounts[0].sku must be a dictionary with name and capacity'),
    ({'accounts': ['acc1'], '_azureml_option_names': {'accounts': 'accounts_list'}}, 'accounts_list[0]: must be a dictionary with name'),
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
    assert result['busy_accounts'] == ['it-rg/fleet-01']
    assert [r['provisioning_state'] for r in result['accounts'] if r['busy']] == ['Deleting']
    assert [m for m, _w, _a, _b, _s in sent(emulator)] == ['GET']


def list_fault(emulator, group, skip=0, **answer):
    """A fault on the list of ``group``'s accounts; ``skip`` pages are answered first (page_size sets their size)."""
    emulator.fault(method='GET', path=r'/resourceGroups/%s/providers/%s/accounts$' % (group, PROVIDER), skip=skip, count=20, **answer)


GROUP_GONE = {'status': 404, 'body': {'error': {'code': 'ResourceGroupNotFound', 'message': "Resource group 'it-rg' could not be found."}}}


def test_a_purge_group_whose_list_breaks_off_with_404_on_page_3_deletes_nothing_anywhere(ansible, emulator):
    """Issue 20.1: it-rg answered pages 1 and 2, then 404 ResourceGroupNotFound; it was taken for an empty group and the
    other group's candidate and a declared absent account were deleted."""
    for index in range(5):
        emulator.put_account('fleet-%02d' % index, 'it-rg', tags=dict(MANAGED))
    emulator.put_account('stale', 'demo-rg', tags=dict(MANAGED))
    emulator.put_account('old', 'demo-rg')
    emulator.configure(page_size=2)
    list_fault(emulator, 'it-rg', skip=2, **GROUP_GONE)
    emulator.clear_journal()
    result = ansible.module('accounts', {'resource_group': 'demo-rg', 'purge': True, 'purge_resource_groups': ['it-rg', 'demo-rg'],
                                         'purge_tags': MANAGED, 'accounts': [spec(1, resource_group='demo-rg'), {'name': 'old', 'state': 'absent'}]})
    assert result['failed'] is True, result
    assert [m for m, _w, _a, _b, _s in sent(emulator) if m == 'DELETE'] == []
    assert [(m, w, s) for m, w, _a, _b, s in sent(emulator) if m == 'GET' and w == 'list it-rg'] == \
        [('GET', 'list it-rg', 200), ('GET', 'list it-rg', 200), ('GET', 'list it-rg', 404)]
    assert 'it-rg' in result['msg'] and 'ResourceGroupNotFound' in result['msg'] and 'page 3' in result['msg'], result['msg']
    assert emulator.get_account('stale', 'demo-rg') and emulator.get_account('old', 'demo-rg')


def writes_sent(emulator):
    return [(m, where, status) for m, where, _a, _b, status in sent(emulator) if m != 'GET']


def test_a_purge_group_that_cannot_be_listed_fails_the_task_even_with_nothing_else_to_write(ansible, emulator):
    """Issue 20.2: page 2 of the purge group's list answered 403; with nothing else to delete the run said
    "Done ...: purge 0 ... failed 0" and exited 0."""
    arrange(emulator, 2)
    for index in range(3):
        emulator.put_account('stale-%02d' % index, 'demo-rg', tags=dict(MANAGED))
    emulator.configure(page_size=2)
    list_fault(emulator, 'demo-rg', skip=1, status=403, body={'error': {'code': 'AuthorizationFailed', 'message': 'no read access'}})
    emulator.clear_journal()
    result = ansible.module('accounts', {'resource_group': 'it-rg', 'purge': True, 'purge_resource_groups': ['demo-rg'],
                                         'purge_tags': MANAGED, 'accounts': [spec(i) for i in range(2)]})
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'] == ('cannot list resource group demo-rg of purge_resource_groups: 403 AuthorizationFailed: no read access '
                             '(on page 2 of the list, after 1 page was read)'), result['msg']
    assert writes_sent(emulator) == []
    assert result['summary'][2] == result['msg']  # after the two lines of counts


def test_a_purge_group_that_does_not_exist_fails_before_anything_is_written_unless_allowed(ansible, emulator):
    """Issue 20.3: purge_resource_groups: [ml-stagign] (a typo) planned "purge 0" without a word."""
    emulator.put_account('stale', 'it-rg', tags=dict(MANAGED))
    emulator.clear_journal()
    args = {'resource_group': 'it-rg', 'purge': True, 'purge_resource_groups': ['it-rg', 'ml-stagign'], 'purge_tags': MANAGED,
            'accounts': [spec(1)]}
    for check in (True, False):
        result = ansible.module('accounts', args, check=check)
        assert result['failed'] is True and result['changed'] is False
        assert 'resource group ml-stagign of purge_resource_groups does not exist (ResourceGroupNotFound); if it is created later, ' \
               'set purge_allow_missing_groups: true' in result['msg'], result['msg']
        assert result['msg'].startswith('this run writes nothing because the purge scope names a resource group that does not exist '
                                        '(2 writes withheld)'), result['msg']
        assert result['counts']['withheld'] == 2 and 'withheld: create fleet-01 (it-rg)' in result['summary']
    assert writes_sent(emulator) == []  # nothing at all: not the purge, and not the create either
    assert emulator.get_account('stale') is not None

    emulator.clear_journal()
    allowed = ansible.module('accounts', dict(args, purge_allow_missing_groups=True))
    assert not allowed['failed'] and allowed['changed'] is True
    assert sorted(writes_sent(emulator)) == [('DELETE', 'it-rg/stale', 200), ('PUT', 'it-rg/fleet-01', 201)]


def test_a_misspelt_declared_group_deletes_nothing_and_says_so_once(ansible, emulator):
    """Issue 20.4: scoring and batch declared in ml-prdo (a typo) failed there, and the purge of it-rg deleted scoring and
    batch, because nothing declared them in it-rg."""
    for name in ('scoring', 'batch'):
        emulator.put_account(name, 'it-rg', tags=dict(MANAGED))
    emulator.put_account('old', 'it-rg')
    emulator.clear_journal()
    result = ansible.module('accounts', {
        'resource_group': 'ml-prdo', 'purge': True, 'purge_resource_groups': ['it-rg'], 'purge_tags': MANAGED,
        'accounts': [spec(1, name='scoring'), spec(2, name='batch'), {'name': 'old', 'resource_group': 'it-rg', 'state': 'absent'},
                     spec(3, resource_group='it-rg')]})
    assert result['failed'] is True and result['changed'] is True
    line = 'this run deletes nothing because 2 declared accounts could not be planned (3 deletes withheld)'
    assert result['msg'].count('deletes nothing') == 1 and result['msg'].startswith(line), result['msg']
    assert result['summary'].count(line) == 1 and sum('deletes nothing' in entry for entry in result['summary']) == 1
    assert writes_sent(emulator) == [('PUT', 'it-rg/fleet-03', 201)]  # the create went ahead; no DELETE at all
    assert all(emulator.get_account(name) for name in ('scoring', 'batch', 'old'))
    withheld = sorted((r['name'], r['action']) for r in result['accounts'] if r.get('withheld'))
    assert withheld == [('batch', 'purge'), ('old', 'delete'), ('scoring', 'purge')]
    assert all(r['error'] is None for r in result['accounts'] if r.get('withheld'))


def test_a_purge_skipped_after_its_own_delete_was_applied_still_says_changed(ansible, emulator):
    """Issue 20.5: the DELETE was applied and its answer lost (500); the retry answered 412 because the account had been
    created again without the purge tags. The result said "skipped", changed: false."""
    emulator.put_account('keep', 'it-rg', tags=dict(MANAGED))
    stale = emulator.put_account('stale', 'it-rg', tags=dict(MANAGED))
    recreated = dict(stale, tags={}, etag='"recreated"', properties=dict(stale['properties'], createdOn='2030-01-01T00:00:00Z'))
    emulator.fault(method='DELETE', path='/accounts/stale$', after=True, status=500,
                   body={'error': {'code': 'InternalServerError', 'message': 'the answer was lost'}})
    emulator.fault(method='DELETE', path='/accounts/stale$', status=412,
                   body={'error': {'code': 'PreconditionFailed', 'message': 'The etag does not match.'}})
    emulator.fault(method='GET', path='/accounts/stale$', status=200, body=recreated)
    emulator.clear_journal()
    result = ansible.module('accounts', {'resource_group': 'it-rg', 'purge': True, 'purge_resource_groups': ['it-rg'],
                                         'purge_tags': MANAGED, 'accounts': [spec(0, name='keep')]})
    assert not result['failed'] and result['changed'] is True, result
    stale_result = [r for r in result['accounts'] if r['name'] == 'stale'][0]
    assert stale_result['changed'] is True and 'no longer has the purge tags' in stale_result['skipped']
    assert 'earlier DELETE lost its answer' in stale_result['skipped']
    deletes = [(entry['status'], entry.get('dispatched_status')) for entry in emulator.journal() if entry['method'] == 'DELETE']
    assert deletes == [(500, 200), (412, None)]  # the first DELETE was applied (its answer lost), the retry refused


def test_an_etag_that_cannot_go_into_a_header_fails_naming_the_list_answer_before_any_write(ansible, emulator):
    """Issue 20.6: each account failed with UnexpectedError: UnicodeEncodeError, changed: true, and nothing was written."""
    arrange(emulator, 2)
    page = {'value': [dict(emulator.get_account('fleet-%02d' % index), etag='"e\u20ac%d"' % index) for index in range(2)]}
    list_fault(emulator, 'it-rg', status=200, body=page)
    emulator.clear_journal()
    result = ansible.module('accounts', {'resource_group': 'it-rg', 'accounts': [spec(i, sku={'name': 'S2', 'capacity': 2}) for i in range(2)]})
    assert result['failed'] is True and result['changed'] is False
    assert 'UnicodeEncodeError' not in result['msg'] and 'Traceback' not in str(result)
    assert 'the list of the accounts of resource group it-rg answered an account that cannot be trusted' in result['msg'], result['msg']
    assert 'If-Match' in result['msg'] and {r['error']['code'] for r in result['accounts']} == {'NotPlanned'}
    assert writes_sent(emulator) == []


@pytest.mark.parametrize('module', ['accounts', 'account'])
def test_an_access_token_that_cannot_go_into_a_header_fails_naming_the_identity_endpoint(ansible, emulator, module):
    """Issue 20.6: a token with a character outside Latin-1 crashed the module with a traceback."""
    token = 'eyJ0eXAiOiJKV1QifQ.\u20ac.sig'
    emulator.fault(method='POST', path='/oauth2/v2.0/token$', status=200, count=5,
                   body={'token_type': 'Bearer', 'expires_in': 3599, 'ext_expires_in': 3599, 'access_token': token})
    args = {'accounts': [spec(1)], 'resource_group': 'it-rg'} if module == 'accounts' else dict(spec(1), resource_group='it-rg')
    result = ansible.module(module, args)
    assert result['failed'] is True and not result.get('changed')
    assert 'Traceback' not in str(result) and 'UnicodeEncodeError' not in str(result), result
    assert 'access token from the identity endpoint' in result['msg'], result['msg']
    assert token not in json.dumps(result) and '\u20ac' not in result['msg']
    assert emulator.journal() == []  # no request reached Resource Manager


def test_with_wait_false_an_account_that_matches_but_is_updating_is_unchanged_in_check_mode_and_real_run(ansible, emulator):
    """Issue 20.7: --check planned it "unchanged, busy"; the real run failed ("cannot be changed until that finishes")."""
    emulator.put_account('fleet-01', 'it-rg', tags=dict(MANAGED))
    emulator.control('POST', 'provisioning-state', {'resource_group': 'it-rg', 'name': 'fleet-01', 'state': 'Updating',
                                                    'settle_to': 'Succeeded', 'after_seconds': 120})
    emulator.clear_journal()
    args = {'resource_group': 'it-rg', 'wait': False, 'accounts': [spec(1)]}
    for check in (True, False):
        result = ansible.module('accounts', args, check=check)
        assert not result['failed'] and result['changed'] is False, result.get('msg')
        assert result['counts']['unchanged'] == 1 and result['busy_accounts'] == ['it-rg/fleet-01']
    assert writes_sent(emulator) == []  # (an account that needs a write fails in both: test_fleet_apply.py)


def test_a_delete_after_a_re_read_carries_the_etag_of_that_read(ansible, emulator):
    """Issue 20.8: a purge candidate listed without an etag is read again before its DELETE; the DELETE carried no
    If-Match even when that read returned one."""
    emulator.put_account('keep', 'it-rg', tags=dict(MANAGED))
    stale = emulator.put_account('stale', 'it-rg', tags=dict(MANAGED))
    page = {'value': [dict((k, v) for k, v in emulator.get_account(name).items() if k != 'etag') for name in ('keep', 'stale')]}
    list_fault(emulator, 'it-rg', status=200, body=page)
    emulator.clear_journal()
    result = ansible.module('accounts', {'resource_group': 'it-rg', 'purge': True, 'purge_resource_groups': ['it-rg'],
                                         'purge_tags': MANAGED, 'accounts': [spec(0, name='keep')]})
    assert not result['failed'] and result['changed'] is True
    assert [(m, w, a) for m, w, a, _b, _s in sent(emulator) if w != 'list it-rg'] == [
        ('GET', 'it-rg/stale', None), ('DELETE', 'it-rg/stale', stale['etag'])]
