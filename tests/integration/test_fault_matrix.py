"""The fault matrix: every injected fault against every operation, each cell a real task run plus a re-run.

Every cell asserts what issue 6 (and 15) requires of the modules when Resource Manager misbehaves:
- no traceback, and a failed task names an error code;
- ``changed`` is truthful: true exactly when the account (read from the emulator, not from the module) differs
  between before and after the task (each cell has one writer, so every difference is the task's own write);
- ``ok`` means the account is as the task asked (a list reported ``ok`` is complete); answers that are not a
  documented success (HTML on 200, 307, a bare 202 whose write never happened, malformed or foreign links) fail;
- a re-run with the fault gone converges: ok, and when the first run was ok, ``changed: false`` with one GET.
Each cell also records its row (final state, changed, error code, the requests sent, re-run) for
docs/reliability.md.

The fault hits the operation's one write (PUT, PATCH or DELETE); for account_info it hits the first list page
(faults match on the path, and every page has the same path; ``skip`` lets pages pass first: '404 on page 3'). A fault
may name its own method: 'etag outside Latin-1' answers the GET before the write. ``after: true`` faults let the write happen and
then lose its answer (dropped, or delayed past the module's ``timeout``).

Speed: the cells run as a few ansible-playbook runs with one host per cell (forks), on an emulator of their own
where every cell has its own subscription, so faults, requests and state never mix between cells. Sync cells run
first, then the async cells (async mode is emulator-wide); each batch once, then its re-run.
"""
import fcntl
import json
import os
import pathlib
import socket
import uuid

import pytest

from harness import Ansible, Emulator  # pylint: disable=import-error
from matrix import describe, record, request_sequence, snapshot, traceback_in  # pylint: disable=import-error

# The cells share one batch run. Under pytest-xdist the first worker runs it and the others read its result
# (see ``observed``); with --dist loadgroup the group also keeps the cells on one worker.
pytestmark = pytest.mark.xdist_group('fault_matrix')

RG = 'it-rg'
NAME = 'mx-account'
TIMEOUT = 3          # the module's per-request timeout in every cell
LOST_DELAY = 5       # an answer delayed past TIMEOUT, after the write was applied
WAIT_TIMEOUT = 6     # bounds how long a cell may wait for an async write that never completes
INFO_ACCOUNTS = 7    # page_size 2: four pages
FORKS = 16
GROUP_API_VERSION = '2021-04-01'
PROVIDER_PATH = '/providers/Microsoft.MachineLearningModelManagement/accounts'
PLAY = '''- hosts: cells
  gather_facts: false
  tasks:
    - name: account
      when: "module == 'account'"
      azureml.model_management.account:
        subscription_id: "{{ subscription }}"
        name: "{{ cell_args.name }}"
        resource_group: "{{ cell_args.resource_group }}"
        state: "{{ cell_args.state }}"
        location: "{{ cell_args.location | default(omit) }}"
        sku: "{{ cell_args.sku | default(omit) }}"
        tags: "{{ cell_args.tags | default(omit) }}"
        timeout: "{{ cell_args.timeout }}"
        wait_timeout: "{{ cell_args.wait_timeout }}"
    - name: account_info
      when: "module == 'account_info'"
      azureml.model_management.account_info:
        subscription_id: "{{ subscription }}"
        resource_group: "{{ cell_args.resource_group }}"
        timeout: "{{ cell_args.timeout }}"
'''


def wrapped(code, message):
    return {'error': {'code': code, 'message': message}}


def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


# --- operations: how to arrange a cell, the task, the request the fault hits, and the desired end ----------------

OPERATIONS = {
    'create': {'method': 'PUT', 'state': 'present', 'exists': False, 'async': False},
    'update': {'method': 'PATCH', 'state': 'present', 'exists': True, 'async': False},
    'delete': {'method': 'DELETE', 'state': 'absent', 'exists': True, 'async': False},
    'info': {'method': 'GET', 'state': None, 'exists': None, 'async': False},
    'async_create': {'method': 'PUT', 'state': 'present', 'exists': False, 'async': True},
    'async_delete': {'method': 'DELETE', 'state': 'absent', 'exists': True, 'async': True},
}
DESIRED = {'location': 'eastus', 'sku': {'name': 'S2', 'capacity': 2}, 'tags': {'env': 'matrix'}}


def task_args(operation):
    if operation == 'info':
        return {'resource_group': RG, 'timeout': TIMEOUT}
    args = {'name': NAME, 'resource_group': RG, 'timeout': TIMEOUT, 'wait_timeout': WAIT_TIMEOUT,
            'state': OPERATIONS[operation]['state']}
    if args['state'] == 'present':
        args.update(DESIRED)
    return args


def is_desired(operation, state):
    if OPERATIONS[operation]['state'] == 'absent':
        return state is None
    if state is None or state['provisioningState'] not in (None, 'Succeeded'):
        return False
    return all(state[field] == DESIRED[field] for field in DESIRED)


# --- faults: the injected answer, and what the module must do about it --------------------------------------------

def fault_spec(name, operation, account_url):
    """The fault body for /_emulator/faults (the caller adds method and path)."""
    foreign = 'https://127.0.0.1:%d/x?api-version=2017-09-01-preview' % closed_port()
    specs = {
        '429 Retry-After': {'status': 429, 'count': 2, 'headers': {'Retry-After': '0'},
                            'body': wrapped('TooManyRequests', 'Throttled.')},
        '500 burst': {'status': 500, 'count': 2, 'body': wrapped('InternalServerError', 'Boom.')},
        '502 burst': {'status': 502, 'count': 2, 'body': '<html>Bad Gateway</html>', 'headers': {'Content-Type': 'text/html'}},
        '503 burst': {'status': 503, 'count': 2, 'headers': {'Retry-After': '0'},
                      'body': wrapped('ServiceUnavailable', 'Try later.')},
        '504 burst': {'status': 504, 'count': 2, 'body': wrapped('GatewayTimeout', 'The gateway timed out.')},
        'drop before write': {'drop': True},
        'drop after write': {'drop': True, 'after': True},
        'answer lost (timeout)': {'delay': LOST_DELAY, 'after': True},
        '401 once': {'status': 401, 'headers': {'WWW-Authenticate': 'Bearer error="invalid_token"'},
                     'body': wrapped('ExpiredAuthenticationToken', 'The access token expired.')},
        '409 AnotherOperationInProgress': {'status': 409, 'body': {
            'code': 'AnotherOperationInProgress', 'message': 'Another operation is in progress.', 'details': []}},
        '412 on create': {'status': 412, 'body': wrapped('PreconditionFailed', 'The condition was not met.')},
        '200 HTML body': {'status': 200, 'body': '<html><body>Sign in</body></html>', 'headers': {'Content-Type': 'text/html'}},
        '307 redirect': {'status': 307, 'headers': {'Location': account_url}},
        '202 without headers': {'status': 202},
        'value is a string': {'status': 200, 'body': {'value': 'not a list'}},
        'nextLink is a number': {'status': 200, 'body': {'value': [], 'nextLink': 42}},
        'foreign link': {
            'info': {'status': 200, 'body': {'value': [{'name': 'mx-info-0'}], 'nextLink': foreign}},
            'async_create': {'status': 201, 'headers': {'Azure-AsyncOperation': foreign, 'Retry-After': '0'},
                             'body': {'name': NAME, 'properties': {'provisioningState': 'Creating'}}},
            'async_delete': {'status': 202, 'headers': {'Location': foreign, 'Retry-After': '0'}},
        }.get(operation),
        # issue 15.1: a link requests leaves unprepared and urllib3 cannot parse; the write happened (after: true)
        'unusable link': unusable_link(operation),
        # issue 20.1: the list breaks off part-way; only a 404 on the first page means the group does not exist
        '404 on page 3': {'status': 404, 'skip': 2, 'body': wrapped('ResourceGroupNotFound', "Resource group 'it-rg' could not be found.")},
        # issue 20.6: the GET before the write answers an etag that cannot go back into an If-Match header
        'etag outside Latin-1': {'method': 'GET', 'status': 200, 'body': euro_etag_account(account_url)},
    }
    return specs[name]


UNUSABLE = 'x.y:a'


def euro_etag_account(account_url):
    """The cell's account as a GET would answer it, with an etag that cannot be sent in a header (a euro sign)."""
    path = '/' + account_url.split('/', 3)[3]
    return {'id': path, 'name': NAME, 'type': 'Microsoft.MachineLearningModelManagement/accounts', 'location': 'eastus',
            'sku': {'name': 'S1', 'capacity': 1}, 'tags': {'env': 'old'}, 'etag': '"e\u20ac"', 'properties': {}}


def unusable_link(operation):
    """``x.y:a`` where the operation's answer has a link: the page's nextLink, the Azure-AsyncOperation of a PUT, the
    Location of a PATCH or DELETE (202). Writes are applied first (``after``): the task must say it changed the account."""
    if operation == 'info':
        return {'status': 200, 'body': {'value': [{'name': 'mx-info-0'}], 'nextLink': UNUSABLE}}
    if OPERATIONS[operation]['method'] == 'PUT':
        return {'status': 201, 'after': True, 'headers': {'Azure-AsyncOperation': UNUSABLE, 'Retry-After': '0'},
                'body': {'name': NAME, 'properties': {'provisioningState': 'Creating'}}}
    return {'status': 202, 'after': True, 'headers': {'Location': UNUSABLE, 'Retry-After': '0'}}


# 'ok': the module must converge; 'failed': the answer is not a success, the task must fail;
# 'either': both are truthful, the invariants still hold. A 409 AnotherOperationInProgress is an operation in progress:
# with wait: true (the cells' default) the task waits for it and plans again (issue 15.6), so it must converge.
EXPECT = {
    '429 Retry-After': 'ok', '500 burst': 'ok', '502 burst': 'ok', '503 burst': 'ok', '504 burst': 'ok',
    'drop before write': 'ok', 'drop after write': 'ok', 'answer lost (timeout)': 'ok', '401 once': 'ok',
    '409 AnotherOperationInProgress': 'ok', '412 on create': 'ok',
    '200 HTML body': 'failed', '307 redirect': 'failed', '202 without headers': 'failed',
    'value is a string': 'failed', 'nextLink is a number': 'failed', 'foreign link': 'failed', 'unusable link': 'failed',
    '404 on page 3': 'failed', 'etag outside Latin-1': 'failed',
}
ONLY = {'412 on create': ('create', 'async_create'), 'value is a string': ('info',), 'nextLink is a number': ('info',),
        'foreign link': ('info', 'async_create', 'async_delete'), '404 on page 3': ('info',),
        'etag outside Latin-1': ('update', 'delete'),
        '409 AnotherOperationInProgress': ('create', 'update', 'delete', 'async_create', 'async_delete')}
CELLS = [(operation, fault) for fault in EXPECT for operation in OPERATIONS if operation in ONLY.get(fault, OPERATIONS)]


def subscription_of(cell):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, 'fault-matrix/%s/%s' % cell))


# --- running the matrix ---------------------------------------------------------------------------------------------

class Cell:
    """One (operation, fault): its subscription, and what was observed before, during and after its runs."""

    def __init__(self, emulator, operation, fault):
        self.emulator = emulator
        self.operation = operation
        self.fault = fault
        self.subscription = subscription_of((operation, fault))
        self.group_path = '/subscriptions/%s/resourceGroups/%s' % (self.subscription, RG)
        self.account_path = emulator.account_path(NAME, RG, self.subscription)
        self.before = self.not_injected = None

    def arrange(self):
        response = self.emulator.arm('PUT', '/subscriptions/%s/resourcegroups/%s' % (self.subscription, RG),
                                     {'location': 'eastus'}, api_version=GROUP_API_VERSION)
        assert response.status_code in (200, 201), response.text
        if self.operation == 'info':
            for index in range(INFO_ACCOUNTS):
                self._put(self.emulator.account_path('mx-info-%d' % index, RG, self.subscription), {'n': str(index)})
        elif OPERATIONS[self.operation]['exists']:
            self._put(self.account_path, {'env': 'old'})
        self.before = self.state()

    def _put(self, path, tags):
        body = {'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}, 'tags': tags, 'properties': {}}
        response = self.emulator.arm('PUT', path, body)
        assert response.status_code in (200, 201), response.text

    def inject(self):
        target = self.group_path + PROVIDER_PATH + '$' if self.operation == 'info' else self.account_path + '$'
        spec = dict({'method': OPERATIONS[self.operation]['method']}, **fault_spec(self.fault, self.operation,
                                                                                   self.emulator.url + self.account_path))
        spec['path'] = target
        response = self.emulator.http.post(self.emulator.url + '/_emulator/faults', json=spec, timeout=30)
        if response.status_code != 201:  # the emulator cannot model this fault: the cell fails, others still run
            self.not_injected = '%s %s' % (response.status_code, response.text)

    def host(self):
        return {'module': 'account_info' if self.operation == 'info' else 'account', 'subscription': self.subscription,
                'cell_args': task_args(self.operation)}

    def state(self):
        if self.operation != 'info':
            response = self.emulator.arm('GET', self.account_path)
            return snapshot(response.json()) if response.status_code == 200 else None
        names, page = [], self.emulator.arm('GET', self.group_path + PROVIDER_PATH).json()
        while True:
            names += [account['name'] for account in page['value']]
            if not page.get('nextLink'):
                return sorted(names)
            page = self.emulator.http.get(page['nextLink'], headers={'Authorization': 'Bearer ' + self.emulator.token()},
                                          timeout=30).json()

    def mine(self, journal):
        prefix = '/subscriptions/%s/' % self.subscription
        return request_sequence([entry for entry in journal if entry['path'].lower().startswith(prefix)])


def run_batch(ansible, tmp_path, cells, label):
    """One ansible-playbook run, one host per cell; returns ({cell key: task result}, process)."""
    inventory = tmp_path / ('%s.yml' % label)
    hosts = {'cell%03d' % index: cell.host() for index, cell in enumerate(cells)}
    inventory.write_text(json.dumps({'cells': {'hosts': hosts, 'vars': {'ansible_connection': 'local'}}}))
    play = tmp_path / 'matrix.yml'
    play.write_text(PLAY)
    process, records = ansible.playbook_results(str(play), '-i', str(inventory), '--forks', str(FORKS))
    by_host = {}  # ansible-core 2.21 leaves 'invocation' out of results: the callback names the host
    for entry in records:
        if entry['status'] != 'skipped':
            by_host[entry['host']] = dict(entry['result'], failed=entry['status'] == 'failed')
    return {(cell.operation, cell.fault): by_host.get(name) for name, cell in zip(sorted(hosts), cells)}, process


def run_and_read(emulator, ansible, tmp_path, cells, label):
    """Run the batch; per cell: (result, requests sent, state read from the emulator afterwards)."""
    emulator.clear_journal()
    results, process = run_batch(ansible, tmp_path, cells, label)
    journal = emulator.journal(kind=None)
    emulator.control('DELETE', 'faults')
    observed = {}
    for cell in cells:
        observed[(cell.operation, cell.fault)] = (results[(cell.operation, cell.fault)] or {}, cell.mine(journal), cell.state())
    return observed, process


def run_matrix(work_dir):
    """Every cell's first run and re-run, on an emulator of the matrix's own (JSON-ready, to share between workers).

    Returns {'cells': {'operation|fault': {'before', 'first', 'rerun'}}, 'not_injected': {'operation|fault': why},
    'outputs': [the batch runs' stdout + stderr]}; 'first' and 'rerun' are [task result, requests sent, state after].
    """
    extra = []
    for cell in CELLS:
        extra += ['--subscription', subscription_of(cell)]
    os.makedirs(os.path.join(work_dir, 'emulator'))
    emulator = Emulator(os.path.join(work_dir, 'emulator'), extra_args=extra)
    try:
        ansible = Ansible(emulator, work_dir)
        emulator.configure(retry_after=0, page_size=2)
        cells = [Cell(emulator, *cell) for cell in CELLS]
        for cell in cells:
            cell.arrange()
        data = {'cells': {}, 'not_injected': {}, 'outputs': []}
        for is_async in (False, True):
            batch = [cell for cell in cells if OPERATIONS[cell.operation]['async'] == is_async]
            # Operations finish a second after they start, as on Azure, whoever polls: a module that lost the answer
            # (and with it the operation's URL) can only watch the account.
            emulator.configure(**{'async': is_async, 'async_seconds': 1})
            for cell in batch:
                cell.inject()
                if cell.not_injected:
                    data['not_injected']['%s|%s' % (cell.operation, cell.fault)] = cell.not_injected
            batch = [cell for cell in batch if not cell.not_injected]
            label = 'async' if is_async else 'sync'
            first, process = run_and_read(emulator, ansible, pathlib.Path(work_dir), batch, label)
            rerun, again = run_and_read(emulator, ansible, pathlib.Path(work_dir), batch, label + '-rerun')
            data['outputs'] += [process.stdout + process.stderr, again.stdout + again.stderr]
            for cell in batch:
                key = (cell.operation, cell.fault)
                data['cells']['%s|%s' % key] = {'before': cell.before, 'first': first[key], 'rerun': rerun[key]}
        return data
    finally:
        emulator.stop()


@pytest.fixture(scope='module')
def observed(tmp_path_factory):
    """The matrix's observations; under pytest-xdist the first worker to get here runs it, the others read its file."""
    if not os.environ.get('PYTEST_XDIST_WORKER'):
        return run_matrix(str(tmp_path_factory.mktemp('matrix')))
    shared = tmp_path_factory.getbasetemp().parent / 'fault-matrix.json'  # the run's directory, common to its workers
    with open(str(shared) + '.lock', 'w', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not shared.exists():
            data = run_matrix(str(tmp_path_factory.mktemp('matrix')))
            shared.write_text(json.dumps(data))
        return json.loads(shared.read_text())


def listed(result):
    return sorted(account.get('name') for account in result.get('accounts') or [])


def problems_of(operation, fault, before, first, rerun):
    """Every way the cell breaks issue 6's rules (empty when it holds), and whether the re-run converged."""
    expect = EXPECT[fault]
    (result, _sent, after), (again, again_sent, final) = first, rerun
    if not result or not again:
        return ['no task result (see the batch output)'], False
    failed = bool(result.get('failed'))
    problems = ['%s crashed (%s)' % (label, crash) for label, crash in
                (('run', traceback_in(result, None)), ('re-run', traceback_in(again, None))) if crash]
    if expect == 'ok' and failed:
        problems.append('failed: %s' % result.get('msg'))
    if expect == 'failed' and not failed:
        problems.append('reported ok for an answer that is not a success')
    if failed and not (result.get('error') or {}).get('code'):
        problems.append('failed without an error code: %s' % result.get('msg'))
    if operation == 'info':
        if result.get('changed'):
            problems.append('account_info reported changed')
        if not failed and listed(result) != after:
            problems.append('ok with %d of %d accounts' % (len(listed(result)), len(after)))
        converged = not again.get('failed') and listed(again) == final
        final = '%d listed / %d exist' % (len(listed(again)), len(final))
    else:
        if bool(result.get('changed')) != (before != after):
            problems.append('changed=%s while the account went %s -> %s'
                            % (bool(result.get('changed')), describe(before), describe(after)))
        if not failed and not is_desired(operation, after):
            problems.append('ok but the account is %s' % describe(after))
        converged = not again.get('failed') and is_desired(operation, final)
        final = describe(final)
    no_op = ['GET %s' % ('404' if OPERATIONS[operation]['state'] == 'absent' else '200')]
    if not converged:
        problems.append('re-run does not converge: %s' % (again.get('msg') or final))
    elif not failed and operation != 'info' and (again.get('changed') or again_sent != no_op):
        problems.append('re-run after an ok run is not a no-op: changed=%s %s' % (again.get('changed'), again_sent))
    return problems, converged


def test_matrix_batches_ran_cleanly(observed):
    """The batch runs themselves: no traceback anywhere in ansible-playbook's output."""
    for output in observed['outputs']:
        assert 'Traceback (most recent call last)' not in output, output[-3000:]


@pytest.mark.parametrize('operation, fault', CELLS, ids=['%s-%s' % cell for cell in CELLS])
def test_fault_cell(observed, operation, fault):
    key = '%s|%s' % (operation, fault)
    if key not in observed['cells']:
        problem = 'not run: the emulator refused the fault: %s' % observed['not_injected'][key][:200]
        record('fault_matrix', '%s|%s' % (fault, operation), order=CELLS.index((operation, fault)), fault=fault,
               operation=operation, expect=EXPECT[fault],
               outcome='not run', changed=False, error_code=None, message='', before='', final='', requests=[],
               rerun_requests=[], rerun_changed=False, converges=False, problems=[problem], write_lost=False)
        pytest.fail(problem)
    before, first, rerun = (observed['cells'][key][part] for part in ('before', 'first', 'rerun'))
    problems, converged = problems_of(operation, fault, before, first, rerun)
    result = first[0] or {}
    info = operation == 'info'
    record('fault_matrix', '%s|%s' % (fault, operation), order=CELLS.index((operation, fault)), fault=fault,
           operation=operation, expect=EXPECT[fault],
           outcome='failed' if result.get('failed') else 'ok', changed=bool(result.get('changed')),
           error_code=(result.get('error') or {}).get('code'), message=str(result.get('msg') or '')[:300],
           before='%d accounts' % len(before) if info else describe(before),
           final='%d listed / %d exist' % (len(listed(result)), len(first[2])) if info else describe(first[2]),
           requests=first[1], rerun_requests=rerun[1], rerun_changed=bool((rerun[0] or {}).get('changed')),
           converges=converged, problems=problems,
           write_lost=not info and bool(result) and not result.get('failed') and not is_desired(operation, first[2]))
    assert not problems, problems
