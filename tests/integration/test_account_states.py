"""Accounts that are not Succeeded (issue 6, defect 3): Failed / Canceled are repaired, running states are waited for.

Each test first puts an account into a provisioning state through the emulator's control API
(POST /_emulator/provisioning-state), then runs the real module and asserts the result and the journal.
"""
import pytest

NAME = 'mma-state'
DESIRED = {'name': NAME, 'resource_group': 'it-rg', 'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1},
           'tags': {'env': 'test'}, 'description': 'states'}


def arrange(emulator, state, **settle):
    emulator.put_account(NAME, tags={'env': 'test'}, description='states')
    emulator.control('POST', 'provisioning-state', dict({'resource_group': 'it-rg', 'name': NAME, 'state': state}, **settle))
    emulator.clear_journal()


def state_of(emulator):
    account = emulator.get_account(NAME)
    return account and (account['properties'].get('provisioningState') or 'Succeeded')


@pytest.mark.parametrize('state', ['Failed', 'Canceled'])
def test_a_failed_account_is_repaired_with_a_guarded_put_and_converges(ansible, emulator, state):
    arrange(emulator, state)
    etag = emulator.get_account(NAME)['etag']
    emulator.clear_journal()
    checked = ansible.module('account', DESIRED, check=True, diff=True)
    assert checked['failed'] is False and checked['changed'] is True
    assert checked['diff']['before']['provisioning_state'] == state
    assert checked['diff']['after']['provisioning_state'] == 'Succeeded'
    assert emulator.calls() == [('GET', emulator.account_path(NAME))] and state_of(emulator) == state

    emulator.clear_journal()
    result = ansible.module('account', DESIRED)
    journal = emulator.journal()
    assert result['failed'] is False and result['changed'] is True
    assert [e['method'] for e in journal] == ['GET', 'PUT']
    assert journal[1]['headers'].get('If-Match') == etag and 'If-None-Match' not in journal[1]['headers']
    assert journal[1]['body'] == {'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}, 'tags': {'env': 'test'},
                                  'properties': {'description': 'states'}}
    assert state_of(emulator) == 'Succeeded'

    emulator.clear_journal()
    again = ansible.module('account', DESIRED)
    assert again['changed'] is False and emulator.calls() == [('GET', emulator.account_path(NAME))]


def test_a_failed_account_without_etags_is_repaired_with_a_plain_put(ansible, emulator):
    emulator.configure(etags=False)
    arrange(emulator, 'Failed')
    result = ansible.module('account', dict(DESIRED, tags={'added': 'yes'}))
    journal = emulator.journal()
    assert result['changed'] is True and [e['method'] for e in journal] == ['GET', 'PUT']
    assert 'If-Match' not in journal[1]['headers']
    assert journal[1]['body']['tags'] == {'env': 'test', 'added': 'yes'}
    assert state_of(emulator) == 'Succeeded' and emulator.get_account(NAME)['tags'] == {'env': 'test', 'added': 'yes'}


def test_a_failed_account_that_cannot_be_repaired_as_asked_fails_naming_the_state(ansible, emulator):
    arrange(emulator, 'Failed')
    result = ansible.module('account', dict(DESIRED, location='westeurope'))
    assert result['failed'] is True and 'is Failed' in result['msg'] and 'location cannot be changed' in result['msg']
    assert emulator.calls() == [('GET', emulator.account_path(NAME))]


def test_a_creating_account_is_waited_for_then_found_as_desired(ansible, emulator):
    arrange(emulator, 'Creating', after_gets=2, settle_to='Succeeded')
    result = ansible.module('account', DESIRED)
    assert result['failed'] is False
    assert [m for m, _p in emulator.calls()] == ['GET'] * len(emulator.calls()) and len(emulator.calls()) >= 2
    assert result['account']['properties']['provisioningState'] == 'Succeeded'
    assert result['changed'] is False and result['action'] == 'none'  # issue 15.6: someone else's create, not this task's write


def test_a_creating_account_that_ends_failed_is_repaired(ansible, emulator):
    arrange(emulator, 'Creating', after_gets=1, settle_to='Failed')
    result = ansible.module('account', DESIRED)
    methods = [m for m, _p in emulator.calls()]
    assert result['failed'] is False and result['changed'] is True
    assert methods[-1] == 'PUT' and set(methods[:-1]) == {'GET'}
    assert state_of(emulator) == 'Succeeded'


def test_a_running_account_that_needs_a_write_without_wait_fails_naming_the_state(ansible, emulator):
    arrange(emulator, 'Updating')
    result = ansible.module('account', dict(DESIRED, wait=False, description='changed'))
    assert result['failed'] is True and 'is Updating' in result['msg']
    assert emulator.calls() == [('GET', emulator.account_path(NAME))]


def test_a_running_account_that_needs_no_write_without_wait_is_unchanged(ansible, emulator):
    """Someone else's operation needs waiting for only by a write (issue 20.7)."""
    arrange(emulator, 'Updating')
    result = ansible.module('account', dict(DESIRED, wait=False))  # check mode: test_account_service.py
    assert result['failed'] is False and result['changed'] is False, result.get('msg')
    assert emulator.calls() == [('GET', emulator.account_path(NAME))]


def test_absent_on_a_deleting_account_waits_until_it_is_gone(ansible, emulator):
    arrange(emulator, 'Deleting', after_gets=1, settle_to='Succeeded')
    result = ansible.module('account', {'name': NAME, 'resource_group': 'it-rg', 'state': 'absent'})
    assert result['failed'] is False and result['changed'] is False  # issue 15.6: someone else's DELETE
    assert set(m for m, _p in emulator.calls()) == {'GET'} and emulator.get_account(NAME) is None


@pytest.mark.parametrize('state', ['Updating', 'Creating'])
def test_check_mode_does_not_wait_for_someone_elses_operation(ansible, emulator, state):
    """Issue 15.7: one GET, no waiting; the plan is made on the account as it is, and a warning says it is busy."""
    arrange(emulator, state)
    result = ansible.module('account', dict(DESIRED, description='planned', wait_timeout=5), check=True, diff=True)
    assert result['failed'] is False, result.get('msg')
    assert result['changed'] is True and result['action'] == 'update'
    assert result['account']['properties']['description'] == 'planned'
    assert result['diff']['before']['provisioning_state'] == state and result['diff']['after']['provisioning_state'] == 'Succeeded'
    assert any("is %s: another operation is running" % state in str(warning) for warning in result['warnings'])
    assert emulator.calls() == [('GET', emulator.account_path(NAME))]
    assert state_of(emulator) == state


def test_check_mode_absent_on_a_deleting_account_does_not_wait(ansible, emulator):
    arrange(emulator, 'Deleting')
    result = ansible.module('account', {'name': NAME, 'resource_group': 'it-rg', 'state': 'absent', 'wait_timeout': 5}, check=True)
    assert result['failed'] is False and result['changed'] is False and result['account'] == {}
    assert any('is Deleting' in str(warning) for warning in result['warnings'])
    assert emulator.calls() == [('GET', emulator.account_path(NAME))]
