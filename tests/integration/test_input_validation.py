"""Bad input fails before anything is sent, with a message naming the option and the rule."""
import pytest

GOOD = {'name': 'mma-valid', 'resource_group': 'it-rg', 'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}}


@pytest.mark.parametrize('override, words', [
    ({'name': 'bad/name'}, ['name']),
    ({'name': 'x' * 261}, ['name', '260']),
    ({'resource_group': 'bad rg!'}, ['resource_group']),
    ({'resource_group': 'ends-with-dot.'}, ['resource_group']),
    ({'sku': {'name': 'S9', 'capacity': 1}}, ['sku', 'S9']),
    ({'sku': {'name': 'S1', 'capacity': 17}}, ['capacity', '16']),
    ({'sku': {'name': 'S1', 'capacity': 0}}, ['capacity']),
    ({'tags': {'a<b': 'x'}}, ['tag']),
    ({'tags': {'k': 'v' * 257}}, ['tag', '256']),
    ({'tags': dict(('t%d' % i, 'v') for i in range(51))}, ['tags', '50']),
    ({'tags': {'Env': 'a', 'ENV': 'b'}}, ['tag']),
    ({'subscription_id': 'not-a-guid'}, ['subscription_id']),
], ids=['name-slash', 'name-long', 'rg-chars', 'rg-dot', 'sku-name', 'capacity-high', 'capacity-zero', 'tag-name-chars',
        'tag-value-long', 'tag-count', 'tag-name-case-duplicate', 'subscription-id'])
def test_bad_input_fails_before_any_request(ansible, emulator, override, words):
    args = dict(GOOD, **override)
    result = ansible.module('account', args)
    assert result['failed'] is True
    for word in words:
        assert word.lower() in result['msg'].lower(), result['msg']
    assert emulator.journal(kind=None) == []


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
