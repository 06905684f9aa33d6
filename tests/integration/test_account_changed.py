"""``changed`` means "this task wrote, or may have written" (issue 15.6, 15.10), against the emulator.

A definite refusal applied nothing, whatever others wrote meanwhile; a write whose answer was lost counts when the
account read afterwards shows it; a DELETE that found the account already gone is someone else's; a write refused
with 409 AnotherOperationInProgress waits for that operation (``wait: true``) or fails naming it.

Races are made deterministic with the emulator's fault API: a ``delay`` fault holds the task's write before it is
handled, and the test writes as "someone else" while it waits (once the task's write has taken the fault).
"""
import threading
import time

NAME = 'mma-changed'
RG = 'it-rg'
BASE = {'name': NAME, 'resource_group': RG}


def path_of(emulator):
    return emulator.account_path(NAME, RG)


def run_while(ansible, emulator, args, meanwhile):
    """Run the task in a thread; once its write has taken the test's ``delay`` fault (and is held by it), call
    ``meanwhile()``. Waiting for the fault to be taken, not for the task's GET, keeps "someone else"'s write from
    taking the fault itself on a loaded machine (it did: the task's write then went first and the test failed)."""
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.setdefault('result', ansible.module('account', args)))
    thread.start()
    deadline = time.monotonic() + 120
    while any(fault['remaining'] > 0 for fault in emulator.control('GET', 'faults')['faults']):
        assert time.monotonic() < deadline and thread.is_alive(), 'the task never sent the write the fault holds'
        time.sleep(0.05)
    meanwhile()
    thread.join(300)
    return outcome['result']


def calls(emulator):
    return [(entry['method'], entry['status']) for entry in emulator.journal()]


def test_a_tag_merge_refused_after_a_concurrent_writer_reports_no_change(ansible, emulator):
    """Without etags tags go by the Tags API merge. Someone adds the 50th tag between the task's GET and its merge:
    Azure refuses the merge (400 InvalidTagCount), nothing of the task was applied, so changed is false."""
    emulator.configure(etags=False)
    emulator.put_account(NAME, tags=dict(('t%02d' % i, 'v') for i in range(49)))
    emulator.fault(method='PATCH', path='/tags/default$', delay=6)
    emulator.clear_journal()

    def someone_else():
        response = emulator.arm('PATCH', path_of(emulator) + '/providers/Microsoft.Resources/tags/default',
                                {'operation': 'Merge', 'properties': {'tags': {'theirs': '1'}}}, api_version='2021-04-01')
        assert response.status_code == 200, response.text

    result = run_while(ansible, emulator, dict(BASE, tags={'mine': '1'}), someone_else)
    assert result['failed'] is True and result['error']['code'] == 'InvalidTagCount', result.get('msg')
    assert result['changed'] is False
    tags = emulator.get_account(NAME)['tags']
    assert 'mine' not in tags and tags['theirs'] == '1' and len(tags) == 50


def test_a_delete_that_finds_the_account_already_gone_reports_no_change(ansible, emulator):
    """Someone deletes the account between the task's GET and its DELETE: the DELETE answers 204, nothing was ours."""
    emulator.put_account(NAME)
    emulator.fault(method='DELETE', path=NAME + '$', delay=6)
    emulator.clear_journal()

    def someone_else():
        response = emulator.arm('DELETE', path_of(emulator))
        assert response.status_code == 200, response.text

    result = run_while(ansible, emulator, dict(BASE, state='absent'), someone_else)
    assert result['failed'] is False and result['changed'] is False and result['action'] == 'none'
    assert [(method, status) for method, status in calls(emulator) if method in ('GET', 'DELETE')][-1] == ('DELETE', 204)


def test_a_delete_whose_answer_was_lost_then_answered_204_reports_a_change(ansible, emulator):
    """The DELETE was applied and its connection dropped; the retry answers 204: that was this task's delete."""
    emulator.put_account(NAME)
    emulator.fault(method='DELETE', path=NAME + '$', drop=True, after=True)
    emulator.clear_journal()
    result = ansible.module('account', dict(BASE, state='absent'))
    assert result['failed'] is False and result['changed'] is True and result['action'] == 'delete'
    assert calls(emulator) == [('GET', 200), ('DELETE', 0), ('DELETE', 204)]


def test_a_task_that_fails_part_way_says_what_was_applied_and_what_was_not(ansible, emulator):
    """Without etags: the SKU goes by PATCH, then the Tags API refuses the tags (403): changed, and the message says both."""
    emulator.configure(etags=False)
    emulator.put_account(NAME, tags={'env': 'old'})
    emulator.fault(method='PATCH', path='/tags/default$', status=403,
                   body={'error': {'code': 'AuthorizationFailed', 'message': 'No permission to write tags.'}})
    emulator.clear_journal()
    result = ansible.module('account', dict(BASE, sku={'capacity': 3}, tags={'owner': 'ml'}))
    assert result['failed'] is True and result['changed'] is True
    assert result['msg'].startswith('403 AuthorizationFailed: No permission to write tags.')
    assert 'applied: the PATCH of sku' in result['msg'] and 'not applied: the Tags API merge of tag owner' in result['msg']
    account = emulator.get_account(NAME)
    assert account['sku']['capacity'] == 3 and account['tags'] == {'env': 'old'}


BUSY = {'status': 409, 'body': {'code': 'AnotherOperationInProgress', 'message': 'Another operation is in progress.', 'details': []}}


def test_a_write_refused_because_another_operation_runs_fails_naming_it_without_wait(ansible, emulator):
    emulator.put_account(NAME)
    emulator.fault(method='PATCH', path=NAME + '$', **BUSY)
    emulator.clear_journal()
    result = ansible.module('account', dict(BASE, description='x', wait=False))
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'].startswith('409 AnotherOperationInProgress: ') and 'wait: true' in result['msg']
    assert calls(emulator) == [('GET', 200), ('PATCH', 409)]  # a definite refusal: nothing to read again


def test_a_write_refused_because_another_operation_runs_waits_and_plans_again(ansible, emulator):
    emulator.put_account(NAME)
    emulator.fault(method='PATCH', path=NAME + '$', count=2, **BUSY)
    emulator.clear_journal()
    result = ansible.module('account', dict(BASE, description='x', wait_timeout=60))
    assert result['failed'] is False and result['changed'] is True and result['action'] == 'update'
    assert calls(emulator) == [('GET', 200), ('PATCH', 409), ('GET', 200), ('PATCH', 409), ('GET', 200), ('PATCH', 200)]
    assert emulator.get_account(NAME)['properties']['description'] == 'x'
