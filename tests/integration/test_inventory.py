"""The inventory plugin azureml.model_management.accounts: real ansible-inventory runs over 1,000 accounts in
two subscriptions, the emulator's journal for every request it sent, and its cache files."""
import glob
import os
import re
import sqlite3

import pytest

from fleet import (  # pylint: disable=import-error
    SECOND_SUBSCRIPTION, add_resource_groups, ansible_inventory, create_accounts, fleet, hostvars, inventory_list,
    parse_listing, write_source,
)
from harness import Ansible, Emulator  # pylint: disable=import-error

pytestmark = pytest.mark.xdist_group('inventory_fleet')  # with --dist loadgroup, one worker builds the fleet once
COUNT = 1000
GROUPS = ('rg-one', 'rg-two', 'rg-three')
LIST_PATH = re.compile(r'^/subscriptions/([^/]+)/(?:resourceGroups/([^/]+)/)?providers/'
                       r'Microsoft\.MachineLearningModelManagement/accounts$', re.IGNORECASE)
TWINS = [  # the same name in two groups of one subscription, and in the same group of two subscriptions
    {'name': 'twin', 'resource_group': 'rg-one', 'subscription': None},
    {'name': 'TWIN', 'resource_group': 'rg-two', 'subscription': None},
    {'name': 'triplet', 'resource_group': 'rg-one', 'subscription': None},
    {'name': 'triplet', 'resource_group': 'rg-one', 'subscription': SECOND_SUBSCRIPTION},
]


@pytest.fixture(scope='module')
def big(tmp_path_factory):
    """Its own emulator (page size 100) with 1,000 accounts over 2 subscriptions and 3 resource groups each."""
    emulator = Emulator(str(tmp_path_factory.mktemp('inventory-emulator')), ['--subscription', SECOND_SUBSCRIPTION])
    try:
        subscriptions = (emulator.subscription, SECOND_SUBSCRIPTION)
        add_resource_groups(emulator, subscriptions, GROUPS)
        specs = fleet(COUNT - len(TWINS), subscriptions, GROUPS)
        for twin in TWINS:
            specs.append(dict(twin, subscription=twin['subscription'] or emulator.subscription, location='eastus',
                              sku={'name': 'S1', 'capacity': 1}, tags={'team': 'twins'}))
        create_accounts(emulator, specs)
        emulator.specs = specs
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def env(big, tmp_path):
    big.clear_journal()
    big.configure(empty_pages=False)
    return Ansible(big, str(tmp_path)).environment(extra={'ANSIBLE_INVENTORY_UNPARSED_FAILED': 'true'})


def list_calls(emulator):
    """(subscription, resource group or None, has $skiptoken) of every account-list GET; asserts nothing else was sent."""
    calls = []
    for entry in emulator.journal():
        assert entry['method'] == 'GET', entry
        match = LIST_PATH.match(entry['path'])
        assert match, entry['path']
        calls.append((match.group(1), match.group(2), '$skiptoken' in entry['query']))
    return calls


def host_of(spec):
    """The default host name of an account when the source lists several subscriptions."""
    return ('%s@%s@%s' % (spec['name'], spec['resource_group'], spec['subscription'])).lower()


def test_list_1000_accounts_in_two_subscriptions(big, env, tmp_path):
    source = write_source(tmp_path, {
        'subscriptions': [big.subscription, SECOND_SUBSCRIPTION],
        'keyed_groups': [{'key': 'azureml_account.location', 'prefix': 'location'},
                         {'key': 'azureml_account.sku.name', 'prefix': 'sku'},
                         {'key': 'azureml_account.tags', 'prefix': 'tag'},
                         {'key': 'azureml_account.provisioning_state', 'prefix': 'state'}],
        'groups': {'big_sku': 'azureml_account.sku.capacity >= 4',
                   'healthy': "azureml_account.provisioning_state == 'Succeeded'"},
        'compose': {'ansible_connection': "'local'"},
        'strict': True,
    })
    listing = inventory_list(env, source)
    variables = hostvars(listing)
    assert len(variables) == COUNT
    assert set(listing['azureml_accounts']['hosts']) == set(variables)
    # several subscriptions: every host name carries the resource group and the subscription, whatever else exists
    assert set(variables) == {host_of(spec) for spec in big.specs}

    spec = big.specs[10]
    one = variables[host_of(spec)]['azureml_account']
    assert one == {
        'id': big.account_path(spec['name'], spec['resource_group'], spec['subscription']),
        'name': 'acct-00010', 'resource_group': spec['resource_group'], 'subscription_id': spec['subscription'],
        'location': spec['location'], 'sku': spec['sku'], 'tags': spec['tags'], 'description': None,
        'provisioning_state': 'Succeeded',  # Azure leaves it out when it is Succeeded
    }
    assert variables[host_of(spec)]['ansible_connection'] == 'local'
    assert {'twin@rg-one@' + big.subscription, 'twin@rg-two@' + big.subscription, 'triplet@rg-one@' + big.subscription,
            'triplet@rg-one@' + SECOND_SUBSCRIPTION} <= set(variables)  # same names, never one host

    def members(group):
        return set(listing.get(group, {}).get('hosts', []))

    def hosts(predicate):
        return {host_of(s) for s in big.specs if predicate(s)}
    for location in ('eastus', 'westeurope', 'northeurope'):
        assert members('location_' + location) == hosts(lambda s, where=location: s['location'] == where)
    assert members('sku_S3') == hosts(lambda s: s['sku']['name'] == 'S3')
    assert members('tag_team_a') == hosts(lambda s: s['tags']['team'] == 'a')
    assert members('tag_env_prod') == hosts(lambda s: s['tags'].get('env') == 'prod')
    assert members('big_sku') == hosts(lambda s: s['sku']['capacity'] >= 4)
    assert members('healthy') == members('state_Succeeded') == set(variables)

    calls = list_calls(big)
    for subscription in (big.subscription, SECOND_SUBSCRIPTION):
        pages = [c for c in calls if c[0] == subscription]
        assert all(group is None for _sub, group, _next in pages)  # one subscription-wide list each
        accounts = sum(1 for s in big.specs if s['subscription'] == subscription)
        assert len(pages) == -(-accounts // 100) and sum(1 for page in pages if page[2]) == len(pages) - 1  # 100 per page


def test_graph_and_filters_resource_groups_and_tags(big, env, tmp_path):
    big.configure(empty_pages=True)  # an empty page with a nextLink before every page: still every account
    source = write_source(tmp_path, {
        'subscriptions': [big.subscription, SECOND_SUBSCRIPTION],
        'resource_groups': ['rg-two'],
        'include_tags': ['team:b'],
        'exclude_tags': ['archived'],
        'hostname_format': '{name}-{location}',
        'keyed_groups': [{'key': 'azureml_account.resource_group', 'prefix': 'rg'}],
    })
    process = ansible_inventory(env, source, '--graph')
    assert process.returncode == 0, process.stderr
    expected = {'%s-%s' % (s['name'], s['location']) for s in big.specs
                if s['resource_group'] == 'rg-two' and s['tags'].get('team') == 'b' and 'archived' not in s['tags']}
    assert len(expected) > 50
    graph_hosts = set(re.findall(r'--(acct-\S+)', process.stdout))
    assert graph_hosts == expected
    assert '@rg_rg_two:' in process.stdout and '@azureml_accounts:' in process.stdout

    calls = list_calls(big)
    assert {(sub, group.lower()) for sub, group, _next in calls} == {(big.subscription, 'rg-two'), (SECOND_SUBSCRIPTION, 'rg-two')}
    assert sum(1 for call in calls if call[2]) > 4  # the empty pages' nextLinks were followed too


def cache_files(directory):
    return [path for path in glob.glob(os.path.join(str(directory), '*')) if os.path.isfile(path)]


def issued_tokens(emulator):
    database = sqlite3.connect('file:%s?mode=ro' % os.path.join(emulator.data_dir, 'state.sqlite3'), uri=True)
    try:
        return [row[0] for row in database.execute('SELECT token FROM tokens')]
    finally:
        database.close()


def test_cache_hit_sends_nothing_and_holds_no_secret(big, env, tmp_path):
    cache_dir = tmp_path / 'cache'
    source = write_source(tmp_path, {
        'subscriptions': [big.subscription, SECOND_SUBSCRIPTION],
        'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile', 'cache_connection': str(cache_dir),
    })
    first = inventory_list(env, source)
    assert len(hostvars(first)) == COUNT
    assert len(big.journal(kind=None)) > 10
    files = cache_files(cache_dir)
    assert len(files) == 1
    text = open(files[0], encoding='utf-8').read()
    assert big.specs[COUNT - len(TWINS) - 1]['name'] in text
    tokens = issued_tokens(big)
    assert tokens
    for secret in tokens + [big.env['AZURE_SECRET']]:
        assert secret not in text
    assert 'Bearer' not in text and 'access_token' not in text

    big.clear_journal()
    second = inventory_list(env, source)
    assert second == first
    assert big.journal(kind=None) == []  # no list, no token, no cloud metadata request

    narrower = write_source(tmp_path, {  # another scope: the cached result is not used
        'subscriptions': [SECOND_SUBSCRIPTION],
        'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile', 'cache_connection': str(cache_dir),
    }, name='fleet.azureml_accounts.yml')  # the same file, so the same cache key
    third = inventory_list(env, narrower)
    assert len(hostvars(third)) == sum(1 for s in big.specs if s['subscription'] == SECOND_SUBSCRIPTION)
    assert {sub for sub, _group, _next in list_calls(big)} == {SECOND_SUBSCRIPTION}


def test_failing_subscription_is_named(big, env, tmp_path):
    unknown = '11111111-2222-4333-8444-555555555555'
    options = {'subscriptions': [SECOND_SUBSCRIPTION, unknown], 'resource_groups': ['rg-one']}
    process = ansible_inventory(env, write_source(tmp_path, options), '--list')
    assert process.returncode != 0
    assert 'subscription %s' % unknown in process.stderr and 'SubscriptionNotFound' in process.stderr

    lenient = write_source(tmp_path, dict(options, fail_on_list_errors=False), name='lenient.azureml_accounts.yml')
    process = ansible_inventory(env, lenient, '--list')
    assert process.returncode == 0, process.stderr
    assert 'subscription %s' % unknown in process.stderr
    names = set(hostvars(parse_listing(process.stdout)))
    assert names and all(name.startswith(('acct-', 'triplet')) and name.endswith('@rg-one@' + SECOND_SUBSCRIPTION) for name in names)
    assert len(names) == sum(1 for s in big.specs if s['subscription'] == SECOND_SUBSCRIPTION and s['resource_group'] == 'rg-one')


def test_missing_resource_group_is_named(big, env, tmp_path):
    process = ansible_inventory(env, write_source(tmp_path, {'resource_groups': ['rg-one', 'no-such-rg']}), '--list')
    assert process.returncode != 0
    assert 'resource group no-such-rg' in process.stderr and 'ResourceGroupNotFound' in process.stderr


def test_bad_options_fail_before_any_request(big, env, tmp_path):
    source = write_source(tmp_path, {'include_tags': [':x'], 'hostname_format': '{name}-{sku}',
                                     'subscriptions': ['not-a-guid']})
    process = ansible_inventory(env, source, '--list')
    assert process.returncode != 0
    assert 'include_tags' in process.stderr and 'hostname_format' in process.stderr
    assert big.journal(kind=None) == []


def test_a_listing_with_errors_is_never_served_from_the_cache(big, env, tmp_path):
    """Item 4: with fail_on_list_errors false, a partial listing is not cached: the next run lists and warns again."""
    unknown = '11111111-2222-4333-8444-555555555555'
    cache = {'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile', 'cache_connection': str(tmp_path / 'cache')}
    source = write_source(tmp_path, dict(cache, subscriptions=[SECOND_SUBSCRIPTION, unknown], resource_groups=['rg-one'],
                                         fail_on_list_errors=False))
    expected = sum(1 for s in big.specs if s['subscription'] == SECOND_SUBSCRIPTION and s['resource_group'] == 'rg-one')
    for _run in range(2):
        big.clear_journal()
        process = ansible_inventory(env, source, '--list')
        assert process.returncode == 0, process.stderr
        assert 'subscription %s' % unknown in process.stderr  # warned every time
        assert len(hostvars(parse_listing(process.stdout))) == expected
        assert {sub for sub, _group, _next in list_calls(big)} == {SECOND_SUBSCRIPTION, unknown}  # listed every time

    complete = write_source(tmp_path, dict(cache, subscriptions=[SECOND_SUBSCRIPTION], resource_groups=['rg-one']))
    first = inventory_list(env, complete)  # the same file: the same cache key, now a listing without errors
    big.clear_journal()
    assert inventory_list(env, complete) == first
    assert big.journal(kind=None) == []  # served from the cache
