"""Throttling, transient failures, refused tokens and what the client sends on every request."""
import datetime
import re

import pytest

ARGS = {'name': 'mma-retry', 'resource_group': 'it-rg', 'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}}
ACCOUNT_PATH = '/providers/Microsoft.MachineLearningModelManagement/accounts/mma-retry$'
GUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')


def test_throttled_get_is_retried_after_retry_after(ansible, emulator):
    emulator.fault(method='GET', path=ACCOUNT_PATH, count=2, status=429, headers={'Retry-After': '1'},
                   body={'error': {'code': 'TooManyRequests', 'message': 'Throttled.'}})
    result = ansible.module('account', ARGS)
    assert result['changed'] is True and not result.get('failed')
    methods = [entry['method'] for entry in emulator.journal()]
    assert methods == ['GET', 'GET', 'GET', 'PUT']
    gets = [entry for entry in emulator.journal() if entry['method'] == 'GET']
    assert [bool(entry.get('fault')) for entry in gets] == [True, True, False]


def test_a_retry_after_that_means_now_is_no_hint(ansible, emulator):
    """Issue 15.4: RFC 9110 delay-seconds is 1*DIGIT; -1 or 0 are no hint, so the retries back off with jitter
    (before: four GETs within 5 ms)."""
    emulator.fault(method='GET', path=ACCOUNT_PATH, count=3, status=429, headers={'Retry-After': '-1'},
                   body={'error': {'code': 'TooManyRequests', 'message': 'Throttled.'}})
    result = ansible.module('account', ARGS)
    assert result['failed'] is False and result['changed'] is True
    gets = [entry for entry in emulator.journal() if entry['method'] == 'GET']
    assert [bool(entry.get('fault')) for entry in gets] == [True, True, True, False]
    times = [datetime.datetime.fromisoformat(entry['time'].replace('Z', '+00:00')) for entry in gets]
    assert (times[-1] - times[0]).total_seconds() > 0.3  # full jitter up to 1 + 2 + 4 s; below 0.3 s by chance: < 0.1 %


def test_a_retry_after_beyond_the_budget_fails_at_once_saying_what_the_server_asked(ansible, emulator):
    emulator.fault(method='GET', path=ACCOUNT_PATH, count=1, status=429, headers={'Retry-After': '9999'},
                   body={'error': {'code': 'TooManyRequests', 'message': 'Throttled.'}})
    result = ansible.module('account', ARGS)
    assert result['failed'] is True and result['error']['code'] == 'TooManyRequests'
    assert result['msg'].startswith('429 TooManyRequests: Throttled. (not retried: the server asked to wait 9999 seconds (Retry-After)')
    assert len(emulator.journal()) == 1


def test_server_errors_and_dropped_connections_are_retried(ansible, emulator):
    emulator.fault(method='PUT', path=ACCOUNT_PATH, count=1, status=503, headers={'Retry-After': '0'},
                   body={'error': {'code': 'ServiceUnavailable', 'message': 'Try later.'}})
    emulator.fault(method='GET', path=ACCOUNT_PATH, count=1, drop=True)
    result = ansible.module('account', ARGS)
    assert result['changed'] is True and not result.get('failed')
    assert [entry['method'] for entry in emulator.journal()] == ['GET', 'GET', 'PUT', 'PUT']
    assert emulator.get_account('mma-retry') is not None


def test_persistent_client_error_fails_with_azure_message(ansible, emulator):
    emulator.fault(method='GET', path=ACCOUNT_PATH, count=1, status=400,
                   body={'code': 'BadThing', 'message': 'The provider says no.', 'details': []})
    result = ansible.module('account', ARGS)
    assert result['failed'] is True
    assert result['msg'] == '400 BadThing: The provider says no.'
    assert result['error']['code'] == 'BadThing'
    assert len(emulator.journal()) == 1  # 400 is not retried


def test_unauthorized_once_gets_a_fresh_token(ansible, emulator):
    emulator.fault(method='GET', path=ACCOUNT_PATH, count=1, status=401,
                   headers={'WWW-Authenticate': 'Bearer error="invalid_token"'},
                   body={'error': {'code': 'ExpiredAuthenticationToken', 'message': 'The access token expired.'}})
    result = ansible.module('account', ARGS)
    assert result['changed'] is True and not result.get('failed')
    token_requests = [entry for entry in emulator.journal(kind='identity') if entry['method'] == 'POST']
    assert len(token_requests) == 2


def test_every_request_names_the_collection_and_carries_a_request_id(ansible, emulator):
    ansible.module('account', ARGS)
    journal = emulator.journal()
    assert journal
    ids = set()
    for entry in journal:
        headers = {key.lower(): value for key, value in entry['headers'].items()}
        assert headers['user-agent'].startswith('azureml.model_management/0.1.0')
        assert GUID.match(headers['x-ms-client-request-id'])
        assert entry['query']['api-version'] == '2017-09-01-preview'
        ids.add(headers['x-ms-client-request-id'])
    assert len(ids) == len(journal)


@pytest.mark.parametrize('module', ['account_info', 'account'])
def test_a_missing_ca_bundle_is_a_clear_error_not_a_traceback(ansible, emulator, module):
    args = {'resource_group': 'it-rg'} if module == 'account_info' else {'name': 'mma-ca', 'resource_group': 'it-rg'}
    result = ansible.module(module, args, extra={'REQUESTS_CA_BUNDLE': '/nonexistent/ca.pem'})
    assert result['failed'] is True
    assert 'REQUESTS_CA_BUNDLE names /nonexistent/ca.pem, which does not exist' in result['msg']
    assert result['error']['code'] == 'InvalidCABundle' and 'Traceback' not in ansible.last_process.stdout + ansible.last_process.stderr
    assert emulator.journal(kind=None) == []
