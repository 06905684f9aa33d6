"""The fleet module under Resource Manager's throttling: a 429 means "later", never a failed account.

Each case is one of the ways runs failed accounts before (several runs sharing one principal's bucket, a long storm
of 429s, a bucket smaller than Azure's default), shrunk so that a few seconds show it: the emulator's throttling model
with small buckets, or injected 429s. Each asserts what the module returned and what the emulator's journal shows:
every account created by exactly one admitted PUT, no account failed, and that the scenario really was throttled.
"""
from concurrent.futures import ThreadPoolExecutor

from harness import Ansible, PROVIDER  # pylint: disable=import-error

GROUP = 'it-rg'


def entries(prefix, count):
    return [{'name': '%s-%02d' % (prefix, index), 'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}}
            for index in range(count)]


def throttle(emulator, writes):
    """The emulator's throttling model on, with a writes bucket of (size, tokens per second); the others Azure's."""
    emulator.configure(throttling=True, throttling_writes={'size': writes[0], 'rate': writes[1]})


def puts(emulator):
    """{account name: [statuses of its PUTs]} from the journal, in order."""
    found = {}
    for entry in emulator.journal():
        if entry['method'] == 'PUT' and '/providers/%s/accounts/' % PROVIDER in entry['path']:
            found.setdefault(entry['path'].rsplit('/', 1)[1], []).append(entry['status'])
    return found


def assert_all_created_once(emulator, names):
    sent = puts(emulator)
    assert sorted(sent) == sorted(names)
    admitted = dict((name, [status for status in statuses if status != 429]) for name, statuses in sent.items())
    assert [name for name, statuses in admitted.items() if statuses != [201]] == []
    return sum(statuses.count(429) for statuses in sent.values())


def failures(result):
    return [(r['name'], r['error']) for r in result['accounts'] if r['error']]


def test_three_runs_sharing_one_principal_create_every_account(ansible, emulator, tmp_path):
    """Three runs of 20 creates at once, one principal, a writes bucket of 10 refilled at 5 per second (about 10 s)."""
    throttle(emulator, (10, 5))
    runners = [Ansible(emulator, str(tmp_path)) for _run in range(3)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda run: runners[run].module('accounts', {'resource_group': GROUP,
                                                                             'accounts': entries('run%d' % run, 20)}),
                                range(3)))
    for result in results:
        assert failures(result) == [] and not result['failed'], result.get('msg')
        assert result['counts']['create'] == 20
    throttled = assert_all_created_once(emulator, [e['name'] for run in range(3) for e in entries('run%d' % run, 20)])
    assert throttled >= 1 and sum(result['throttle_pauses'] for result in results) >= 1  # the runs did collide


def test_a_long_storm_of_429s_fails_no_account(ansible, emulator):
    """14 consecutive 429s (Retry-After 1) over 2 workers: 7 each, the attempts that fail a request on its own."""
    emulator.fault(method='PUT', path='/accounts/', status=429, count=14, headers={'Retry-After': '1'},
                   body={'error': {'code': 'SubscriptionRequestsThrottled', 'message': 'Throttled'}})
    result = ansible.module('accounts', {'resource_group': GROUP, 'accounts': entries('storm', 10), 'concurrency': 2})
    assert failures(result) == [] and not result['failed'], result.get('msg')
    assert result['counts']['create'] == 10 and result['throttle_pauses'] == 14
    assert assert_all_created_once(emulator, [e['name'] for e in entries('storm', 10)]) == 14


def test_a_writes_bucket_smaller_than_azures_fails_no_account(ansible, emulator):
    """A bucket of 4 writes refilled at 2 per second (a budget shared with others, a trial subscription): 24 creates."""
    throttle(emulator, (4, 2))
    result = ansible.module('accounts', {'resource_group': GROUP, 'accounts': entries('small', 24)})
    assert failures(result) == [] and not result['failed'], result.get('msg')
    assert result['counts']['create'] == 24
    assert assert_all_created_once(emulator, [e['name'] for e in entries('small', 24)]) >= 1


def test_throttling_beyond_the_time_budget_fails_those_accounts_naming_the_option(ansible, emulator):
    """Resource Manager keeps answering 429 (Retry-After 2) to every create: with throttling_timeout 3 they fail after
    about 3 s, each with its 429 and the reason; nothing else is sent."""
    emulator.fault(method='PUT', path='/accounts/', status=429, count=1000, headers={'Retry-After': '2'},
                   body={'error': {'code': 'SubscriptionRequestsThrottled', 'message': 'Throttled'}})
    result = ansible.module('accounts', {'resource_group': GROUP, 'accounts': entries('late', 3), 'throttling_timeout': 3})
    assert result['failed'] is True and result['changed'] is False
    assert sorted(name for name, _error in failures(result)) == ['late-00', 'late-01', 'late-02']
    assert all(error['status'] == 429 for _name, error in failures(result))
    assert 'Throttled (still throttled when throttling_timeout of 3 seconds ran out' in result['msg']
    assert set(puts(emulator)) == {'late-00', 'late-01', 'late-02'} and emulator.get_account('late-00') is None
