"""Every transition of the account module, in check mode and for real, against the emulator.

For each one: check mode reports the same ``changed`` as the real run and sends only the GET; the real run
sends exactly the expected requests (read from the emulator's journal) and leaves the expected account.
"""
import pytest

NAME = 'mma-it'


def account_args(**overrides):
    args = {'name': NAME, 'resource_group': 'it-rg', 'location': 'East US 2',
            'sku': {'name': 'S1', 'capacity': 1}, 'description': 'integration', 'tags': {'env': 'test'}}
    args.update(overrides)
    return args


def path_of(emulator, name=NAME, resource_group='it-rg'):
    return emulator.account_path(name, resource_group)


def run_check_then_real(ansible, emulator, args):
    """Run the task with --check --diff, then for real with --diff; return both results and journals."""
    emulator.clear_journal()
    checked = ansible.module('account', args, check=True, diff=True)
    check_calls = emulator.calls()
    emulator.clear_journal()
    real = ansible.module('account', args, diff=True)
    return checked, check_calls, real, emulator.journal()


def test_absent_to_present_creates_with_one_put(ansible, emulator):
    checked, check_calls, real, journal = run_check_then_real(ansible, emulator, account_args())
    path = path_of(emulator)

    assert checked['changed'] is True and real['changed'] is True
    assert checked['action'] == real['action'] == 'create'
    assert check_calls == [('GET', path)]
    assert checked['diff']['before'] == {}
    assert checked['diff']['after']['location'] == 'eastus2'
    assert checked['account']['location'] == 'eastus2'

    assert [(entry['method'], entry['path']) for entry in journal] == [('GET', path), ('PUT', path)]
    put = journal[1]
    assert put['headers'].get('If-None-Match') == '*'
    assert put['body']['location'] == 'eastus2'
    assert put['body']['sku'] == {'name': 'S1', 'capacity': 1}
    assert put['body']['tags'] == {'env': 'test'}
    assert put['body']['properties'] == {'description': 'integration'}
    assert real['account']['id'].endswith('/accounts/' + NAME)
    assert real['account']['properties']['createdOn']
    # issue 14.5: Azure omits provisioningState when it is Succeeded; the result says it (the diff does not change)
    assert real['account']['properties']['provisioningState'] == checked['account']['properties']['provisioningState'] == 'Succeeded'
    assert 'provisioningState' not in emulator.get_account(NAME)['properties']
    assert real['diff'] == checked['diff']
    assert emulator.get_account(NAME)['sku'] == {'name': 'S1', 'capacity': 1}


def test_check_mode_writes_nothing(ansible, emulator):
    result = ansible.module('account', account_args(), check=True)
    assert result['changed'] is True
    assert emulator.get_account(NAME) is None


def test_present_unchanged_is_one_get(ansible, emulator):
    emulator.put_account(NAME, location='eastus2', tags={'env': 'test'}, description='integration')
    # The same account written differently: location with spaces and capitals, sku name and tag name in other case.
    args = account_args(sku={'name': 's1', 'capacity': 1}, tags={'ENV': 'test'})
    checked, check_calls, real, journal = run_check_then_real(ansible, emulator, args)

    assert checked['changed'] is False and real['changed'] is False
    assert checked['action'] == real['action'] == 'none'
    assert check_calls == [('GET', path_of(emulator))]
    assert [(entry['method'], entry['path']) for entry in journal] == [('GET', path_of(emulator))]
    assert real['account']['name'] == NAME and real['account']['properties']['provisioningState'] == 'Succeeded'
    assert real['diff']['before'] == real['diff']['after'] and 'provisioning_state' not in real['diff']['after']


@pytest.mark.parametrize('change, expected_patch', [
    ({'sku': {'name': 'S2', 'capacity': 1}}, {'sku': {'name': 'S2', 'capacity': 1}, 'properties': {}}),
    ({'sku': {'name': 'S1', 'capacity': 4}}, {'sku': {'name': 'S1', 'capacity': 4}, 'properties': {}}),
    ({'sku': {'capacity': 3}}, {'sku': {'name': 'S1', 'capacity': 3}, 'properties': {}}),
    ({'description': 'changed'}, {'properties': {'description': 'changed'}}),
    ({'tags': {'owner': 'ml'}}, {'tags': {'env': 'test', 'owner': 'ml'}, 'properties': {}}),
    ({'tags': {'env': 'prod'}}, {'tags': {'env': 'prod'}, 'properties': {}}),
    ({'tags': {'env': ''}}, {'tags': {'env': ''}, 'properties': {}}),
    ({'tags': {'owner': 'ml'}, 'append_tags': False}, {'tags': {'owner': 'ml'}, 'properties': {}}),
    ({'tags': {}, 'append_tags': False}, {'tags': {}, 'properties': {}}),
], ids=['sku-name', 'sku-capacity', 'sku-capacity-only', 'description', 'tag-added', 'tag-value',
        'tag-empty-value', 'tags-purged', 'all-tags-removed'])
def test_each_field_change_is_one_patch(ansible, emulator, change, expected_patch):
    emulator.put_account(NAME, location='eastus2', tags={'env': 'test'}, description='integration')
    args = account_args(**change)
    checked, check_calls, real, journal = run_check_then_real(ansible, emulator, args)
    path = path_of(emulator)

    assert checked['changed'] is True and real['changed'] is True
    assert checked['action'] == real['action'] == 'update'
    assert check_calls == [('GET', path)]
    assert [(entry['method'], entry['path']) for entry in journal] == [('GET', path), ('PATCH', path)]
    assert journal[1]['body'] == expected_patch
    assert real['diff'] == checked['diff'] and real['diff']['before'] != real['diff']['after']

    stored = emulator.get_account(NAME)
    for key in ('sku', 'tags'):
        assert checked['account'][key] == stored[key] == real['account'][key]
    assert checked['account']['properties'].get('description') == stored['properties'].get('description')

    # And the same task again is a no-op: one GET, nothing changed.
    emulator.clear_journal()
    again = ansible.module('account', args)
    assert again['changed'] is False
    assert emulator.calls() == [('GET', path)]


def test_tag_name_case_only_is_no_change(ansible, emulator):
    emulator.put_account(NAME, location='eastus2', tags={'Env': 'test'}, description='integration')
    checked, _check_calls, real, journal = run_check_then_real(ansible, emulator, account_args(tags={'ENV': 'test'}, append_tags=False))
    assert checked['changed'] is False and real['changed'] is False
    assert len(journal) == 1


def test_a_name_spelled_in_another_case_never_shows_in_the_diff(ansible, emulator):
    """Issue 15.8: Azure compares names ignoring case and keeps the creation casing; the diff shows the account's own."""
    emulator.put_account('MyAcct', location='eastus2', tags={'env': 'test'}, description='integration')
    checked, check_calls, real, journal = run_check_then_real(ansible, emulator, account_args(name='myacct', description='changed'))
    assert checked['changed'] is True and real['changed'] is True
    assert [entry['method'] for entry in journal] == ['GET', 'PATCH']
    for result in (checked, real):
        assert result['diff']['before']['name'] == result['diff']['after']['name'] == 'MyAcct'
        assert (result['diff']['before']['description'], result['diff']['after']['description']) == ('integration', 'changed')


def test_location_change_is_refused(ansible, emulator):
    emulator.put_account(NAME, location='eastus2', tags={'env': 'test'}, description='integration')
    for check in (True, False):
        emulator.clear_journal()
        result = ansible.module('account', account_args(location='westeurope'), check=check)
        assert result['failed'] is True
        assert 'location cannot be changed' in result['msg']
        assert emulator.calls() == [('GET', path_of(emulator))]
    assert emulator.get_account(NAME)['location'] == 'eastus2'


def test_present_to_absent_deletes(ansible, emulator):
    emulator.put_account(NAME)
    args = {'name': NAME, 'resource_group': 'it-rg', 'state': 'absent'}
    checked, check_calls, real, journal = run_check_then_real(ansible, emulator, args)
    path = path_of(emulator)

    assert checked['changed'] is True and real['changed'] is True
    assert checked['action'] == real['action'] == 'delete'
    assert check_calls == [('GET', path)]
    assert [(entry['method'], entry['path']) for entry in journal] == [('GET', path), ('DELETE', path)]
    assert real['account'] == {} and checked['account'] == {}
    assert real['diff']['after'] == {} and real['diff']['before']['name'] == NAME
    assert emulator.get_account(NAME) is None


def test_absent_to_absent_is_one_get(ansible, emulator):
    args = {'name': NAME, 'resource_group': 'it-rg', 'state': 'absent'}
    checked, check_calls, real, journal = run_check_then_real(ansible, emulator, args)
    assert checked['changed'] is False and real['changed'] is False
    assert check_calls == [('GET', path_of(emulator))]
    assert len(journal) == 1


def test_absent_in_missing_resource_group_is_ok(ansible, emulator):
    result = ansible.module('account', {'name': NAME, 'resource_group': 'no-such-rg', 'state': 'absent'})
    assert result['changed'] is False and not result.get('failed')


def test_create_in_missing_resource_group_fails_with_azure_error(ansible, emulator):
    for check in (True, False):
        result = ansible.module('account', account_args(resource_group='no-such-rg'), check=check)
        assert result['failed'] is True
        assert result['msg'].startswith('404 ResourceGroupNotFound:')
        assert result['error']['code'] == 'ResourceGroupNotFound'
        assert result['error']['request_id']


@pytest.mark.parametrize('missing', ['location', 'sku'])
def test_create_without_required_field_names_it(ansible, emulator, missing):
    args = account_args()
    del args[missing]
    result = ansible.module('account', args)
    assert result['failed'] is True and missing in result['msg']
    assert [call for call in emulator.calls() if call[0] != 'GET'] == []
