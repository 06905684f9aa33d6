"""The fleet module across subscriptions: a subscription per entry and per purge group, each listed and applied with a
pace of its own, and the purge rules exact per subscription (an emulator of its own knows a second subscription,
conftest.py's ``two_subscriptions``)."""
import re

import pytest

from conftest import fresh  # pylint: disable=import-error
from fleet import SECOND_SUBSCRIPTION, add_resource_groups  # pylint: disable=import-error
from harness import PROVIDER, Ansible  # pylint: disable=import-error

MANAGED = {'managed-by': 'ansible'}
GROUP = 'ml'  # the same resource group name in both subscriptions
PATH = re.compile(r'^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/%s/accounts(?:/([^/]+))?$' % PROVIDER, re.I)


@pytest.fixture
def emu(two_subscriptions):
    """The emulator of two subscriptions (conftest.py), fresh, with the resource group GROUP in both."""
    fresh(two_subscriptions)
    add_resource_groups(two_subscriptions, (two_subscriptions.subscription, SECOND_SUBSCRIPTION), (GROUP,))
    two_subscriptions.clear_journal()
    return two_subscriptions


@pytest.fixture
def run(emu, tmp_path):
    return Ansible(emu, str(tmp_path))


def entry(name, subscription=None, **over):
    spec = {'name': name, 'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}, 'tags': dict(MANAGED)}
    if subscription:
        spec['subscription_id'] = subscription
    spec.update(over)
    return spec


def put(emu, name, subscription, tags=None):
    response = emu.arm('PUT', emu.account_path(name, GROUP, subscription),
                       {'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}, 'tags': tags or dict(MANAGED), 'properties': {}})
    assert response.status_code in (200, 201), response.text


def exists(emu, name, subscription):
    return emu.arm('GET', emu.account_path(name, GROUP, subscription)).status_code == 200


def sent(emu):
    """(METHOD, subscription (lower), account name or LIST, status) of every account request."""
    found = []
    for record in emu.journal():
        match = PATH.match(record['path'])
        if match:
            found.append((record['method'], match.group(1).lower(), match.group(3) or 'LIST', record['status']))
    return found


def test_entries_and_purge_groups_in_two_subscriptions(run, emu):
    """Same group name in both subscriptions: each account is created, kept or purged in its own subscription only."""
    home = emu.subscription
    for name in ('keep', 'stale'):
        put(emu, name, home)
        put(emu, name, SECOND_SUBSCRIPTION)
    emu.clear_journal()
    args = {'resource_group': GROUP, 'purge': True, 'purge_tags': MANAGED,
            'purge_resource_groups': [GROUP, '/subscriptions/%s/resourceGroups/%s' % (SECOND_SUBSCRIPTION, GROUP)],
            'accounts': [entry('keep'), entry('new-home'), entry('keep', SECOND_SUBSCRIPTION), entry('new-away', SECOND_SUBSCRIPTION)]}
    check = run.module('accounts', args, check=True)
    assert not check['failed'], check.get('msg')
    planned = sorted((r['subscription_id'].lower(), r['name'], r['action']) for r in check['accounts'] if r['action'] != 'none')
    assert planned == sorted([(home.lower(), 'new-home', 'create'), (home.lower(), 'stale', 'purge'),
                              (SECOND_SUBSCRIPTION, 'new-away', 'create'), (SECOND_SUBSCRIPTION, 'stale', 'purge')])
    assert sorted(sent(emu)) == sorted([('GET', home.lower(), 'LIST', 200), ('GET', SECOND_SUBSCRIPTION, 'LIST', 200)])

    emu.clear_journal()
    result = run.module('accounts', args)
    assert not result['failed'] and result['changed'], result.get('msg')
    assert sorted(r for r in sent(emu) if r[0] != 'GET') == sorted([
        ('PUT', home.lower(), 'new-home', 201), ('DELETE', home.lower(), 'stale', 200),
        ('PUT', SECOND_SUBSCRIPTION, 'new-away', 201), ('DELETE', SECOND_SUBSCRIPTION, 'stale', 200)])
    assert [exists(emu, 'keep', sub) and not exists(emu, 'stale', sub) for sub in (home, SECOND_SUBSCRIPTION)] == [True, True]


def test_a_purge_group_of_one_subscription_never_purges_the_same_group_of_another(run, emu):
    """Declared accounts in the second subscription, purge scope only in the task's: the second's undeclared account stays."""
    put(emu, 'stale', emu.subscription)
    put(emu, 'stale', SECOND_SUBSCRIPTION)
    emu.clear_journal()
    result = run.module('accounts', {'resource_group': GROUP, 'purge': True, 'purge_resource_groups': [GROUP],
                                     'accounts': [entry('wanted', SECOND_SUBSCRIPTION)]})
    assert not result['failed'], result.get('msg')
    assert sorted(r for r in sent(emu) if r[0] != 'GET') == sorted([
        ('PUT', SECOND_SUBSCRIPTION, 'wanted', 201), ('DELETE', emu.subscription.lower(), 'stale', 200)])
    assert exists(emu, 'stale', SECOND_SUBSCRIPTION)


def test_a_listing_that_fails_in_one_subscription_deletes_nothing_in_any(run, emu):
    put(emu, 'stale', emu.subscription)
    put(emu, 'stale', SECOND_SUBSCRIPTION)
    put(emu, 'gone', emu.subscription)
    emu.fault(method='GET', path=r'/subscriptions/%s/resourceGroups/%s/providers/%s/accounts$' % (SECOND_SUBSCRIPTION, GROUP, PROVIDER),
              status=403, count=20, body={'error': {'code': 'AuthorizationFailed', 'message': 'no'}})
    emu.clear_journal()
    result = run.module('accounts', {
        'resource_group': GROUP, 'purge': True,
        'purge_resource_groups': [GROUP, '/subscriptions/%s/resourceGroups/%s' % (SECOND_SUBSCRIPTION, GROUP)],
        'accounts': [entry('new-home'), {'name': 'gone', 'state': 'absent'}]})
    assert result['failed'] is True
    assert [r for r in sent(emu) if r[0] == 'DELETE'] == []
    assert [r[:3] for r in sent(emu) if r[0] == 'PUT'] == [('PUT', emu.subscription.lower(), 'new-home')]
    assert exists(emu, 'stale', emu.subscription) and exists(emu, 'gone', emu.subscription)


def test_two_subscriptions_apply_at_once_each_at_its_own_pace(run, emu):
    """A writes bucket of 5 refilled at 5 per second per subscription: 15 creates in each, written side by side (the
    second subscription's writes begin before the first's end), every one created, none failed."""
    emu.configure(throttling=True, throttling_writes={'size': 5, 'rate': 5})
    result = run.module('accounts', {'resource_group': GROUP, 'concurrency': 4,
                                     'accounts': [entry('a%02d' % i) for i in range(15)]
                                     + [entry('b%02d' % i, SECOND_SUBSCRIPTION) for i in range(15)]})
    assert not result['failed'] and result['counts']['create'] == 30, result.get('msg')
    created = [(record['time'], PATH.match(record['path']).group(1).lower()) for record in emu.journal()
               if record['method'] == 'PUT' and record['status'] == 201]
    assert len(created) == 30
    home = [when for when, sub in created if sub == emu.subscription.lower()]
    away = [when for when, sub in created if sub == SECOND_SUBSCRIPTION]
    assert len(home) == len(away) == 15 and min(away) < max(home) and min(home) < max(away)


@pytest.mark.parametrize('args, words', [
    ({'accounts': [entry('x', 'not-a-guid')]}, "accounts[0]: subscription_id must be a subscription id, a GUID like"),
    ({'accounts': [entry('x')], 'purge': True, 'purge_resource_groups': ['/subscriptions/x/resourceGroups/ml']},
     "each entry of purge_resource_groups: '/subscriptions/x/resourceGroups/ml': its subscription must be a subscription id"),
    ({'accounts': [entry('x'), entry('X', None, resource_group='ML')]}, 'accounts[0] and accounts[1] both declare'),
])
def test_bad_subscriptions_are_refused_before_any_request(run, emu, args, words):
    result = run.module('accounts', dict({'resource_group': GROUP}, **args))
    assert result['failed'] is True and words in result['msg'], result['msg']
    assert emu.journal(kind=None) == []
