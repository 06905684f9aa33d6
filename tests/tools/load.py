"""Load the emulator on loopback and print what it sustains: requests/s, p50 and p99 of account GETs.

    python tests/tools/load.py [--clients 32] [--seconds 10] [--processes 4] [--writers 4]

Starts its own emulator (in memory, on 127.0.0.1), creates one account, then runs ``--clients`` concurrent clients
(spread over ``--processes`` processes so that the clients' own Python does not serialize on one GIL), each with
its own keep-alive session, GETting the account for ``--seconds``. Meanwhile ``--writers`` more clients each add
1 to a counter tag of one shared account with read, PATCH ``If-Match: <etag>``, and a re-read on 412: at the end
the counter must equal the number of PATCHes answered 200, or a write was lost. Every number is bounded (at most
64 clients, 60 seconds) and nothing leaves the machine. A benchmark, not a test: it prints, it never fails on a
figure, only on a lost write or an error answer.
"""
import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'integration'))
from harness import Emulator  # noqa: E402 pylint: disable=wrong-import-position,import-error

MAX_CLIENTS, MAX_SECONDS = 64, 60
LOOPBACK = ('https://127.0.0.1:', 'https://[::1]:', 'https://localhost:')


def session_for(ca_path):
    session = requests.Session()
    session.verify = ca_path
    session.trust_env = False
    return session


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


def writer(url, ca_path, token, until, applied, errors):
    """Add 1 to tag ``n`` of the account at ``url`` until ``until``, with If-Match; count the PATCHes answered 200."""
    session = session_for(ca_path)
    headers = {'Authorization': 'Bearer ' + token}
    while time.monotonic() < until:
        current = session.get(url, headers=headers, timeout=30)
        if current.status_code != 200:
            errors.append(current.status_code)
            continue
        body = current.json()
        tags = dict(body['tags'], n=str(int(body['tags']['n']) + 1))
        answer = session.patch(url, json={'tags': tags, 'properties': {}}, timeout=30,
                               headers=dict(headers, **{'If-Match': body['etag']}))
        if answer.status_code == 200:
            applied.append(1)
        elif answer.status_code != 412:  # 412: someone else wrote first; read again
            errors.append(answer.status_code)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def run(emulator, clients, seconds, processes, writers, rate=0):
    """Run the load against a started ``emulator`` (``rate`` GETs/s in all, 0: as fast as it answers); return figures."""
    if not emulator.url.startswith(LOOPBACK):
        raise SystemExit('refusing to load %s: loopback only' % emulator.url)
    emulator.put_account('load-read', tags={'purpose': 'load'})
    emulator.put_account('load-counter', tags={'n': '0'})
    api = '?api-version=2017-09-01-preview'
    read_url = emulator.url + emulator.account_path('load-read') + api
    counter_url = emulator.url + emulator.account_path('load-counter') + api
    ca_path, token = emulator.env['REQUESTS_CA_BUNDLE'], emulator.token()
    per_process = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    applied, write_errors = [], []
    started = time.monotonic()
    until = started + seconds
    write_threads = [threading.Thread(target=writer, args=(counter_url, ca_path, token, until, applied, write_errors))
                     for _number in range(writers)]
    for thread in write_threads:
        thread.start()
    with multiprocessing.Pool(processes) as pool:
        interval = clients / float(rate) if rate else 0.0
        results = pool.map(reader_process, [(read_url, ca_path, token, until, interval, n) for n in per_process if n])
    for thread in write_threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies = [value for result in results for value in result[0]]
    read_errors = [value for result in results for value in result[1]]
    counter = int(emulator.get_account('load-counter')['tags']['n'])
    return {
        'clients': clients, 'load': 'offered %d/s' % rate if rate else 'closed loop', 'seconds': round(elapsed, 1), 'gets': len(latencies),
        'requests_per_second': len(latencies) / elapsed,
        'p50_ms': 1000 * statistics.median(latencies), 'p99_ms': 1000 * percentile(latencies, 0.99),
        'read_errors': len(read_errors), 'writes_applied': len(applied), 'counter': counter,
        'writes_lost': len(applied) - counter, 'write_errors': len(write_errors),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--clients', type=int, default=32, help='concurrent reading clients (1-%d, default 32)' % MAX_CLIENTS)
    parser.add_argument('--seconds', type=float, default=10.0, help='how long to load (at most %d, default 10)' % MAX_SECONDS)
    parser.add_argument('--processes', type=int, default=4, help='client processes the readers are spread over (default 4)')
    parser.add_argument('--writers', type=int, default=4, help='concurrent writers of the shared counter (default 4)')
    parser.add_argument('--rate', type=int, default=0,
                        help='GETs per second offered in all, on a fixed schedule (default 0: back to back, the maximum)')
    options = parser.parse_args()
    if not 1 <= options.clients <= MAX_CLIENTS or not 0 < options.seconds <= MAX_SECONDS or not 0 <= options.writers <= 16:
        parser.error('clients 1-%d, seconds up to %d, writers 0-16' % (MAX_CLIENTS, MAX_SECONDS))
    processes = max(1, min(options.processes, options.clients))

    work = tempfile.mkdtemp(prefix='azureml-load-')
    emulator = Emulator(work, extra_args=['--in-memory', '--log-level', 'WARNING'])
    try:
        figures = run(emulator, options.clients, options.seconds, processes, options.writers, options.rate)
    finally:
        emulator.stop()
    print('account GETs: %(clients)d clients, %(load)s, %(seconds)s s, %(gets)d requests: %(requests_per_second).0f requests/s, '
          'p50 %(p50_ms).1f ms, p99 %(p99_ms).1f ms, %(read_errors)d errors' % figures)
    print('writes under load: %(writes_applied)d PATCHes answered 200, counter %(counter)d, lost %(writes_lost)d, '
          '%(write_errors)d errors' % figures)
    if figures['writes_lost'] or figures['read_errors'] or figures['write_errors']:
        sys.exit('FAILED: a write was lost or the emulator answered with an error')


if __name__ == '__main__':
    main()
