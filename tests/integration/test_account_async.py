"""Asynchronous answers (201 + Azure-AsyncOperation, 202 + Location) are followed until a terminal state."""

ARGS = {'name': 'mma-async', 'resource_group': 'it-rg', 'location': 'eastus', 'sku': {'name': 'S2', 'capacity': 2}}


def sequence(emulator):
    """(METHOD, what was addressed) for every Resource Manager call, polls included."""
    calls = []
    for entry in emulator.journal(kind=None):
        if entry['kind'] in ('identity', 'metadata'):
            continue
        path = entry['path'].lower()
        if '/operationstatuses/' in path:
            calls.append((entry['method'], 'status'))
        elif '/operationresults/' in path:
            calls.append((entry['method'], 'result'))
        else:
            calls.append((entry['method'], 'account'))
    return calls


def test_async_create_is_followed_to_success(ansible, emulator):
    emulator.configure(**{'async': True, 'async_polls': 2, 'async_outcome': 'Succeeded'})
    result = ansible.module('account', ARGS)
    assert result['changed'] is True
    assert result['account']['properties']['provisioningState'] == 'Succeeded'
    calls = sequence(emulator)
    assert calls[:2] == [('GET', 'account'), ('PUT', 'account')]
    assert calls[-1] == ('GET', 'account')
    assert set(calls[2:-1]) == {('GET', 'status')} and len(calls[2:-1]) >= 2


def test_async_create_without_wait_returns_at_once(ansible, emulator):
    emulator.configure(**{'async': True, 'async_polls': 2})
    result = ansible.module('account', dict(ARGS, wait=False))
    assert result['changed'] is True
    assert result['account']['properties']['provisioningState'] not in ('Succeeded', 'Failed', 'Canceled')
    assert sequence(emulator) == [('GET', 'account'), ('PUT', 'account')]


def test_async_delete_is_followed_to_the_end(ansible, emulator):
    emulator.put_account('mma-async')
    emulator.configure(**{'async': True, 'async_polls': 2})
    emulator.clear_journal()
    result = ansible.module('account', {'name': 'mma-async', 'resource_group': 'it-rg', 'state': 'absent'})
    assert result['changed'] is True
    calls = sequence(emulator)
    assert calls[:2] == [('GET', 'account'), ('DELETE', 'account')]
    assert set(calls[2:]) == {('GET', 'result')} and len(calls[2:]) >= 2
    emulator.configure(**{'async': False})
    assert emulator.get_account('mma-async') is None


def test_failed_async_operation_fails_the_task_with_azures_error(ansible, emulator):
    emulator.configure(**{'async': True, 'async_polls': 1, 'async_outcome': 'Failed',
                          'async_error': {'code': 'QuotaExceeded', 'message': 'No capacity left in eastus.'}})
    result = ansible.module('account', ARGS)
    assert result['failed'] is True
    assert 'QuotaExceeded' in result['msg'] and 'No capacity left in eastus.' in result['msg']
    assert result['error']['code'] == 'QuotaExceeded'
    # the operation's own state and code, not the status (201) of the PUT that started it
    assert result['msg'].startswith('PUT ') and ' ended Failed: QuotaExceeded: ' in result['msg']
    assert result['error']['state'] == 'Failed' and not result['msg'].startswith('201')


def test_canceled_async_operation_fails_the_task(ansible, emulator):
    emulator.configure(**{'async': True, 'async_polls': 1, 'async_outcome': 'Canceled',
                          'async_error': {'code': 'OperationCanceled', 'message': 'The operation was canceled.'}})
    result = ansible.module('account', ARGS)
    assert result['failed'] is True
    assert 'OperationCanceled: The operation was canceled.' in result['msg']
    assert ' ended Canceled: ' in result['msg'] and result['error']['state'] == 'Canceled'
