"""account_info and operations_info: lookups, filters and paging over many pages."""


def test_info_one_account_and_missing_one(ansible, emulator):
    emulator.put_account('mma-one', tags={'team': 'ml'})
    found = ansible.module('account_info', {'name': 'MMA-ONE', 'resource_group': 'it-rg'})
    assert found['changed'] is False
    assert [account['name'] for account in found['accounts']] == ['mma-one']
    # issue 14.5: Azure omits provisioningState when it is Succeeded; account_info says it
    assert found['accounts'][0]['properties']['provisioningState'] == 'Succeeded'
    missing = ansible.module('account_info', {'name': 'nope', 'resource_group': 'it-rg'})
    assert missing['accounts'] == [] and not missing.get('failed')


def test_info_pages_through_group_and_subscription(ansible, emulator):
    for index in range(7):
        emulator.put_account('mma-g%d' % index, resource_group='it-rg', tags={'n': str(index)})
    for index in range(3):
        emulator.put_account('mma-d%d' % index, resource_group='demo-rg')
    emulator.configure(page_size=2)
    emulator.clear_journal()

    in_group = ansible.module('account_info', {'resource_group': 'it-rg'})
    assert sorted(account['name'] for account in in_group['accounts']) == ['mma-g%d' % i for i in range(7)]
    calls = emulator.journal()
    assert len(calls) == 4  # 2 + 2 + 2 + 1
    assert all(entry['method'] == 'GET' for entry in calls)
    assert all('$skiptoken' in entry['query'] for entry in calls[1:])

    everywhere = ansible.module('account_info', {})
    assert len(everywhere['accounts']) == 10
    assert {account['properties']['provisioningState'] for account in everywhere['accounts']} == {'Succeeded'}


def test_info_follows_empty_pages(ansible, emulator):
    for index in range(3):
        emulator.put_account('mma-e%d' % index)
    emulator.configure(page_size=2, empty_pages=True)
    emulator.clear_journal()
    result = ansible.module('account_info', {'resource_group': 'it-rg'})
    assert len(result['accounts']) == 3
    assert len(emulator.journal()) > 2


def test_info_tag_filter(ansible, emulator):
    emulator.put_account('mma-a', tags={'Team': 'ml', 'env': 'prod'})
    emulator.put_account('mma-b', tags={'team': 'ml', 'env': 'dev'})
    emulator.put_account('mma-c', tags={'team': 'web', 'env': ''})
    result = ansible.module('account_info', {'resource_group': 'it-rg', 'tags': ['team:ml']})
    assert sorted(account['name'] for account in result['accounts']) == ['mma-a', 'mma-b']
    result = ansible.module('account_info', {'resource_group': 'it-rg', 'tags': ['TEAM:ml', 'env:prod']})
    assert [account['name'] for account in result['accounts']] == ['mma-a']
    result = ansible.module('account_info', {'resource_group': 'it-rg', 'tags': ['env']})
    assert len(result['accounts']) == 3
    result = ansible.module('account_info', {'resource_group': 'it-rg', 'tags': ['env:']})
    assert [account['name'] for account in result['accounts']] == ['mma-c']


def test_info_check_mode_is_supported(ansible, emulator):
    emulator.put_account('mma-check')
    result = ansible.module('account_info', {'resource_group': 'it-rg'}, check=True)
    assert [account['name'] for account in result['accounts']] == ['mma-check']


def test_operations_info_follows_next_links(ansible, emulator):
    result = ansible.module('operations_info', {})
    everything = result['operations']
    assert everything and all(op['name'].lower().startswith('microsoft.machinelearningmodelmanagement/') for op in everything)
    assert {'provider', 'resource', 'operation', 'description'} <= set(everything[0]['display'])

    emulator.configure(page_size=1)
    emulator.clear_journal()
    paged = ansible.module('operations_info', {})
    assert paged['operations'] == everything
    calls = emulator.journal()
    assert len(calls) == len(everything)
    for entry in calls[1:]:
        assert '$skiptoken' in entry['query']


def test_next_link_to_another_host_is_refused(ansible, emulator):
    """A nextLink pointing elsewhere must not be followed: the token would go to that host."""
    emulator.put_account('mma-x')
    foreign = 'https://attacker.invalid/subscriptions/x/providers/y?api-version=1&$skiptoken=abc'
    emulator.fault(method='GET', path='/resourceGroups/it-rg/providers/Microsoft.MachineLearningModelManagement/accounts$',
                   count=1, status=200, body={'value': [], 'nextLink': foreign})
    emulator.clear_journal()
    result = ansible.module('account_info', {'resource_group': 'it-rg'})
    assert result['failed'] is True
    assert 'attacker.invalid' in result['msg']
    assert len(emulator.journal()) == 1
