"""Load the emulator on loopback and print what it sustains: requests/s, p50 and p99 of account GETs, CPU per request.

    python tests/tools/load.py [--clients 32] [--seconds 10] [--processes 4] [--writers 4] [--rate 0] [--no-floor]
                               [--emulator-script PATH]

Starts its own emulator (in memory, on 127.0.0.1), creates two accounts, then runs ``--clients`` concurrent clients
(spread over ``--processes`` processes so that the clients' own Python does not serialize on one GIL), each with
its own keep-alive session, GETting one account for ``--seconds``. Meanwhile ``--writers`` more clients each add
1 to a counter tag of the other account with read, PATCH ``If-Match: <etag>``, and a re-read on 412: at the end
the counter must equal the number of PATCHes answered 200, or a write was lost.

The floor, measured the same way just before (``--no-floor`` skips it): the same HTTP server, TLS and thread pool
(tests/emulator/run.py's ``make_server``) with an application that answers every request with one fixed account
document. The emulator's figures over the floor's are what the emulator itself costs; absolute numbers move with the
machine's load. The server's CPU time per request (user + system, from /proc; Linux only) moves least.

``--emulator-script`` runs another copy of the emulator (e.g. an older revision's tests/emulator/run.py) the same way.
Every number is bounded (at most 64 clients, 60 seconds) and nothing leaves the machine. A benchmark, not a test: it
prints, it never fails on a figure, only on a lost write or an error answer.
"""
import argparse
import json
import multiprocessing
import os
import random
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
EMULATOR_SCRIPT = os.path.join(TESTS, 'emulator', 'run.py')
MAX_CLIENTS, MAX_SECONDS = 64, 60
LOOPBACK = ('https://127.0.0.1:', 'https://[::1]:', 'https://localhost:')
ACCOUNTS = '/subscriptions/%s/resourceGroups/demo-rg/providers/Microsoft.MachineLearningModelManagement/accounts/%s'
API = '?api-version=2017-09-01-preview'
FLOOR_DOC = {'id': ACCOUNTS % ('00000000-0000-0000-0000-000000000000', 'floor'), 'name': 'floor',
             'type': 'Microsoft.MachineLearningModelManagement/accounts', 'location': 'eastus', 'tags': {'n': '0'},
             'sku': {'name': 'S1', 'capacity': 1}, 'etag': '"00000000-0000-0000-0000-000000000000"',
             'properties': {'createdOn': '2026-01-01T00:00:00.000000Z', 'modifiedOn': '2026-01-01T00:00:00.000000Z',
                            'modelManagementSwaggerLocation': 'https://eastus.modelmanagement.azureml.net/swagger.json'}}


def read_env(path):
    """The ``export K=V`` lines the emulator (and the floor) write, as a dict."""
    values = {}
    with open(path, encoding='utf-8') as handle:
        for line in handle:
            key, _sep, value = line.strip()[len('export '):].partition('=')
            values[key] = shlex.split(value)[0] if value else ''
    return values


def session_for(ca_path):
    session = requests.Session()
    session.verify = ca_path
    session.trust_env = False
    return session


def cpu_seconds(pid):
    """User + system CPU seconds of process ``pid`` so far (Linux /proc), or None where there is no /proc."""
    try:
        with open('/proc/%d/stat' % pid, encoding='ascii') as handle:
            fields = handle.read().rsplit(')', 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / float(os.sysconf('SC_CLK_TCK'))


class Server(object):
    """A server process on loopback that writes DATA_DIR/env when it listens: the emulator or the floor."""

    def __init__(self, command, data_dir):
        env_path = os.path.join(data_dir, 'env')
        with open(os.path.join(data_dir, 'server.log'), 'ab') as log:
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)  # pylint: disable=consider-using-with
        deadline = time.monotonic() + 30
        while not os.path.exists(env_path):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError('%s did not start; see %s/server.log' % (command[1], data_dir))
            time.sleep(0.05)
        self.env = read_env(env_path)
        self.url = self.env['EMULATOR_URL']
        if not self.url.startswith(LOOPBACK):
            self.stop()
            raise SystemExit('refusing to load %s: loopback only' % self.url)
        self.ca_path = self.env['REQUESTS_CA_BUNDLE']

    def cpu(self):
        return cpu_seconds(self.process.pid)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class EmulatorTarget(Server):
    """The emulator with a token and two accounts: one to read, one whose counter tag the writers raise."""

    def __init__(self, data_dir, script=EMULATOR_SCRIPT):
        super().__init__([sys.executable, script, '--data-dir', data_dir, '--port', '0', '--in-memory',
                          '--log-level', 'WARNING'], data_dir)
        http = session_for(self.ca_path)
        answer = http.post('%s/%s/oauth2/v2.0/token' % (self.url, self.env['AZURE_TENANT']), timeout=30, data={
            'grant_type': 'client_credentials', 'client_id': self.env['AZURE_CLIENT_ID'],
            'client_secret': self.env['AZURE_SECRET'], 'scope': self.url + '/.default'})
        answer.raise_for_status()
        self.token = answer.json()['access_token']
        self.read_url = self.url + ACCOUNTS % (self.env['AZURE_SUBSCRIPTION_ID'], 'load-read') + API
        self.counter_url = self.url + ACCOUNTS % (self.env['AZURE_SUBSCRIPTION_ID'], 'load-counter') + API
        for url, tags in ((self.read_url, {'purpose': 'load'}), (self.counter_url, {'n': '0'})):
            answer = http.put(url, json={'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}, 'tags': tags},
                              headers={'Authorization': 'Bearer ' + self.token}, timeout=30)
            answer.raise_for_status()
        self._http = http

    def counter(self):
        answer = self._http.get(self.counter_url, headers={'Authorization': 'Bearer ' + self.token}, timeout=30)
        return int(answer.json()['tags']['n'])


class FloorTarget(Server):
    """The floor: run.py's server and TLS with an application that answers every request with FLOOR_DOC."""

    def __init__(self, data_dir):
        super().__init__([sys.executable, os.path.abspath(__file__), '--serve-floor', data_dir], data_dir)
        self.token = 'floor'
        self.read_url = self.url + ACCOUNTS % ('0', 'load-read') + API
        self.counter_url = self.url + ACCOUNTS % ('0', 'load-counter') + API

    @staticmethod
    def counter():
        return None  # the floor stores nothing: no lost-write check


def serve_floor(data_dir):
    """Serve FLOOR_DOC on a free loopback port until SIGTERM (the --serve-floor entry point)."""
    sys.path.insert(0, TESTS)
    from emulator import certs, run  # pylint: disable=import-outside-toplevel,import-error
    ca_path, cert_path, key_path = certs.ensure_certificates(data_dir)
    body = json.dumps(FLOOR_DOC).encode('utf-8')

    def app(environ, start_response):
        environ['wsgi.input'].read(int(environ.get('CONTENT_LENGTH') or 0))
        start_response('200 OK', [('Content-Type', 'application/json; charset=utf-8'), ('Content-Length', str(len(body)))])
        return [body]

    server = run.make_server('127.0.0.1', 0, app, cert_path, key_path)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    threading.Thread(target=server.serve, daemon=True).start()
    with open(os.path.join(data_dir, 'env'), 'w', encoding='utf-8') as handle:
        handle.write('export EMULATOR_URL=https://127.0.0.1:%d\nexport REQUESTS_CA_BUNDLE=%s\n' % (server.bind_addr[1], ca_path))
    while not stop.wait(0.5):  # a timed wait: the signal handler runs between the waits
        pass
    server.stop()


def reader(url, ca_path, token, until, interval, latencies, errors):
    """GET ``url`` until ``until`` (monotonic) on one keep-alive session; latencies in seconds.

    ``interval`` 0: back to back (closed loop, the most the server gives). Otherwise one GET every ``interval``
    seconds on a fixed schedule, and the latency counts from the scheduled time, so a slow answer that delays
    the next request is charged in full (no "coordinated omission").
    """
    session = session_for(ca_path)
    headers = {'Authorization': 'Bearer ' + token}
    session.get(url, headers=headers, timeout=30)  # not counted: opens the keep-alive connection (TLS handshake)
    scheduled = time.monotonic() + interval * random.random()  # spread the clients' first requests
    while scheduled < until:
        if interval:
            time.sleep(max(0.0, scheduled - time.monotonic()))
        else:
            scheduled = time.monotonic()
        response = session.get(url, headers=headers, timeout=30)
        latencies.append(time.monotonic() - scheduled)
        if response.status_code != 200:
            errors.append(response.status_code)
        scheduled += interval


def reader_process(args):
    """One process of ``threads`` readers; returns (latencies, error statuses)."""
    url, ca_path, token, until, interval, threads = args
    latencies, errors = [], []
    workers = [threading.Thread(target=reader, args=(url, ca_path, token, until, interval, latencies, errors))
               for _number in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, errors


def writer(url, ca_path, token, until, tally, errors):
    """Add 1 to tag ``n`` of the account at ``url`` until ``until``, with If-Match; count requests and 200 PATCHes."""
    session = session_for(ca_path)
    headers = {'Authorization': 'Bearer ' + token}
    while time.monotonic() < until:
        current = session.get(url, headers=headers, timeout=30)
        tally['requests'] += 1
        if current.status_code != 200:
            errors.append(current.status_code)
            continue
        body = current.json()
        tags = dict(body['tags'], n=str(int(body['tags']['n']) + 1))
        answer = session.patch(url, json={'tags': tags, 'properties': {}}, timeout=30,
                               headers=dict(headers, **{'If-Match': body['etag']}))
        tally['requests'] += 1
        if answer.status_code == 200:
            tally['applied'] += 1
        elif answer.status_code != 412:  # 412: someone else wrote first; read again
            errors.append(answer.status_code)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def run(target, clients, seconds, processes, writers, rate=0):
    """Run the load against a started target (``rate`` GETs/s in all, 0: as fast as it answers); return figures."""
    ca_path, token = target.ca_path, target.token
    per_process = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    tallies, write_errors = [dict(requests=0, applied=0) for _number in range(writers)], []
    with multiprocessing.Pool(processes) as pool:
        cpu_before = target.cpu()
        started = time.monotonic()
        until = started + seconds
        write_threads = [threading.Thread(target=writer, args=(target.counter_url, ca_path, token, until, tally, write_errors))
                         for tally in tallies]
        for thread in write_threads:
            thread.start()
        interval = clients / float(rate) if rate else 0.0
        results = pool.map(reader_process, [(target.read_url, ca_path, token, until, interval, n) for n in per_process if n])
        for thread in write_threads:
            thread.join()
        elapsed = time.monotonic() - started
        cpu_after = target.cpu()
    latencies = [value for result in results for value in result[0]]
    read_errors = [value for result in results for value in result[1]]
    applied = sum(tally['applied'] for tally in tallies)
    served = len(latencies) + sum(tally['requests'] for tally in tallies) + clients  # + each reader's untimed first GET
    counter = target.counter()
    return {
        'clients': clients, 'load': 'offered %d/s' % rate if rate else 'back to back', 'seconds': round(elapsed, 1),
        'gets': len(latencies), 'requests_per_second': len(latencies) / elapsed,
        'p50_ms': 1000 * statistics.median(latencies), 'p99_ms': 1000 * percentile(latencies, 0.99),
        'cpu_us': 1e6 * (cpu_after - cpu_before) / served if cpu_before is not None and cpu_after is not None else None,
        'read_errors': len(read_errors), 'writes_applied': applied, 'counter': counter,
        'writes_lost': applied - counter if counter is not None else 0, 'write_errors': len(write_errors),
    }


def measure(kind, work, clients=32, seconds=10, processes=4, writers=4, rate=0, script=EMULATOR_SCRIPT):
    """Start a fresh ``kind`` target ('floor' or 'emulator') in a new directory under ``work``, load it, stop it."""
    data_dir = tempfile.mkdtemp(prefix=kind + '-', dir=work)
    target = FloorTarget(data_dir) if kind == 'floor' else EmulatorTarget(data_dir, script)
    try:
        return run(target, clients, seconds, processes, writers, rate)
    finally:
        target.stop()


def describe(label, figures):
    """One line of figures (the format bench.py prints too)."""
    cpu = '%4.0f us' % figures['cpu_us'] if figures['cpu_us'] is not None else '   - '
    return ('%-9s %-13s %5.0f GETs/s  p50 %6.1f ms  p99 %6.1f ms  server CPU %s/request  errors %d'
            % (label, figures['load'], figures['requests_per_second'], figures['p50_ms'], figures['p99_ms'], cpu,
               figures['read_errors'] + figures['write_errors']))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--clients', type=int, default=32, help='concurrent reading clients (1-%d, default 32)' % MAX_CLIENTS)
    parser.add_argument('--seconds', type=float, default=10.0, help='how long to load (at most %d, default 10)' % MAX_SECONDS)
    parser.add_argument('--processes', type=int, default=4, help='client processes the readers are spread over (default 4)')
    parser.add_argument('--writers', type=int, default=4, help='concurrent writers of the shared counter (default 4)')
    parser.add_argument('--rate', type=int, default=0,
                        help='GETs per second offered in all, on a fixed schedule (default 0: back to back, the maximum)')
    parser.add_argument('--no-floor', action='store_true', help='skip the floor (the server and TLS alone)')
    parser.add_argument('--emulator-script', default=EMULATOR_SCRIPT, help='the run.py to start (default: this tree\'s)')
    parser.add_argument('--serve-floor', metavar='DIR', help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve_floor:
        return serve_floor(options.serve_floor)
    if not 1 <= options.clients <= MAX_CLIENTS or not 0 < options.seconds <= MAX_SECONDS or not 0 <= options.writers <= 16:
        parser.error('clients 1-%d, seconds up to %d, writers 0-16' % (MAX_CLIENTS, MAX_SECONDS))
    processes = max(1, min(options.processes, options.clients))
    shape = dict(clients=options.clients, seconds=options.seconds, processes=processes, writers=options.writers,
                 rate=options.rate)
    work = tempfile.mkdtemp(prefix='azureml-load-')
    try:
        if not options.no_floor:
            print(describe('floor', measure('floor', work, **shape)))
        figures = measure('emulator', work, script=options.emulator_script, **shape)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(describe('emulator', figures))
    print('writes under load: %(writes_applied)d PATCHes answered 200, counter %(counter)d, lost %(writes_lost)d, '
          '%(write_errors)d errors' % figures)
    if figures['writes_lost'] or figures['read_errors'] or figures['write_errors']:
        sys.exit('FAILED: a write was lost or the emulator answered with an error')
    return None


if __name__ == '__main__':
    main()
