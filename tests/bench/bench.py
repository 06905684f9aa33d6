"""Benchmark: what one task of this collection costs, next to the floor of one HTTPS GET with a ready token.

    make bench          (or: python tests/bench/bench.py [--tasks 10] [--rounds 3] [--accounts 10000])

Against a fresh emulator on loopback, from one run:
  1. Per task, startup removed: each case is a playbook of --tasks identical tasks, timed over --rounds interleaved
     rounds; a playbook with no task is timed alike and subtracted, and the median is divided by --tasks.
       floor    ansible.builtin.uri: one GET of the account with a static bearer token (no Azure library at all)
       ping     ansible.builtin.ping
       noop     account, present and unchanged                 (GET)
       check    account --check of a change                    (GET)
       update   account applying a change                      (GET, PATCH)
       info     account_info of one account by name            (GET)
     each of the last four with the token cache off and on (token_cache: allow_unencrypted, warmed first),
     and, with --previous REV, noop and info of the collection as it was at git revision REV (same run, same floor),
     printed as seconds and as the ratio to the floor, with the requests per task (from the emulator's journal)
     and the module process's peak RSS and CPU time (user + system, median of 3 more untimed runs through
     tests/bench/measured_python.py; CPU time is what other processes on the machine move least).
  2. Imports: ``python -X importtime`` of the no-op module process, cache off and on: what it imports, and the cost;
     then, in a fresh interpreter, what the cached-token path pays (importing azure-identity and msal, reading the
     cache) against what it saves (OpenID discovery and the token request).
  3. account_info over a resource group of 2,500 / 5,000 / --accounts accounts: seconds, seconds per 1,000 accounts
     (linear growth keeps it flat), peak RSS, RSS above an empty list, and the size of the JSON returned.
  4. The emulator under load (tests/tools/load.py): account GETs from 32 keep-alive clients, back to back and at an
     offered 500/s, while 4 writers raise a counter tag of another account (If-Match; lost-write check): requests/s,
     p50, p99 and the server's CPU per request, beside the floor (the same HTTP server and TLS answering a fixed
     document), --load-rounds interleaved rounds of each, medians.
With --charts DIR (make bench: docs/images), the figures are also drawn as SVG charts (tests/bench/charts.py):
performance-per-task.svg, performance-account-info-time.svg, performance-account-info-memory.svg and
performance-emulator.svg.
Nothing here is a test and no number fails anything: the machine's load moves every figure; ratios move less.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'integration'))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'tools'))
from harness import BIN_DIR, CALLBACK_DIR, Ansible, Emulator  # noqa: E402 pylint: disable=wrong-import-position,import-error
import load  # noqa: E402 pylint: disable=wrong-import-position,import-error
from charts import write_chart  # noqa: E402 pylint: disable=wrong-import-position,import-error

MEASURED_PYTHON = os.path.join(HERE, 'measured_python.py')
PRESENT = {'name': 'bench', 'resource_group': 'it-rg', 'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}, 'tags': {'a': '1'}}
BIG_GROUP = 'bench-big'


class Playbooks(object):
    """Writes and runs playbooks of identical tasks; returns wall time, task results and the journal's counts."""

    def __init__(self, emulator, work):
        self.emulator = emulator
        self.work = work
        self.ansible = Ansible(emulator, work)
        self.count = 0
        self.last_cpu_ms = 0.0

    def write(self, tasks):
        self.count += 1
        path = os.path.join(self.work, 'play-%d.yml' % self.count)
        play = [{'hosts': 'localhost', 'gather_facts': False, 'connection': 'local', 'tasks': tasks}]
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump(play, handle)  # JSON is YAML
        return path

    def run(self, tasks, env=None, interpreter=None, measure_file=None, importtime=False):
        path = self.write(tasks)
        result_file = os.path.join(self.work, 'results-%d.jsonl' % self.count)
        extra = dict(env or {}, RESULT_FILE=result_file, ANSIBLE_LOAD_CALLBACK_PLUGINS='true',
                     ANSIBLE_CALLBACKS_ENABLED='result_file', ANSIBLE_CALLBACK_PLUGINS=CALLBACK_DIR)
        if measure_file:
            extra.update(BENCH_MEASURE_FILE=measure_file, BENCH_IMPORTTIME='1' if importtime else '')
        python = interpreter or sys.executable
        command = [os.path.join(BIN_DIR, 'ansible-playbook'), path, '-e', 'ansible_python_interpreter=%s' % python]
        self.emulator.clear_journal()
        started = time.perf_counter()
        process = subprocess.run(command, env=self.ansible.environment(extra=extra), capture_output=True, text=True,
                                 timeout=1800, check=False, cwd=self.work)
        seconds = time.perf_counter() - started
        results = []
        if os.path.exists(result_file):
            with open(result_file, encoding='utf-8') as handle:
                results = [json.loads(line) for line in handle]
        failed = [r for r in results if r['status'] != 'ok'] or (process.returncode != 0 and tasks)
        if failed:
            sys.exit('benchmark playbook failed:\n%s\n%s' % (process.stdout[-3000:], failed if failed is not True else ''))
        kinds = {}
        for entry in self.emulator.journal(None):
            kinds[entry['kind']] = kinds.get(entry['kind'], 0) + 1
        return seconds, results, kinds


def task(module, args, check=False):
    fqcn = module if '.' in module else 'azureml.model_management.' + module
    entry = {'name': module, fqcn: args}
    if check:
        entry['check_mode'] = True
    return entry


def previous_collection(repo, revision, work):
    """A collections directory holding this collection as it was at ``revision`` (git archive of ``repo``)."""
    root = os.path.join(work, 'previous')
    target = os.path.join(root, 'ansible_collections', 'azureml', 'model_management')
    os.makedirs(target)
    archive = subprocess.run(['git', '-C', repo, 'archive', '--format=tar', revision], capture_output=True, check=True).stdout
    subprocess.run(['tar', '-x', '-C', target], input=archive, check=True)
    return root


def cases(emulator, token, cache_env, previous=None):
    """name -> (task factory taking the task's index, environment)."""
    url = '%s%s?api-version=2017-09-01-preview' % (emulator.url, emulator.account_path('bench'))
    uri = {'url': url, 'headers': {'Authorization': 'Bearer ' + token}, 'ca_path': emulator.env['REQUESTS_CA_BUNDLE']}
    change = dict(PRESENT, sku={'name': 'S2', 'capacity': 2})
    by_name = {'name': 'bench', 'resource_group': 'it-rg'}
    stamp = str(time.time())
    table = {
        'floor': (lambda i: task('ansible.builtin.uri', uri), {}),
        'ping': (lambda i: task('ansible.builtin.ping', {}), {}),
    }
    for suffix, env in (('', {}), ('+cache', cache_env)):
        table['noop' + suffix] = (lambda i: task('account', PRESENT), env)
        table['check' + suffix] = (lambda i: task('account', change, check=True), env)
        table['update' + suffix] = (lambda i, s=suffix: task('account', dict(PRESENT, tags={'a': '1', 'n': '%s%s-%d' % (stamp, s, i)})), env)
        table['info' + suffix] = (lambda i: task('account_info', by_name), env)
    if previous:
        table['noop@previous'] = (lambda i: task('account', PRESENT), {'ANSIBLE_COLLECTIONS_PATH': previous})
        table['info@previous'] = (lambda i: task('account_info', by_name), {'ANSIBLE_COLLECTIONS_PATH': previous})
    return table


def time_cases(books, table, tasks, rounds):
    """Median seconds per task (empty playbook subtracted), requests per task, interleaved over rounds."""
    samples = dict((name, []) for name in table)
    empty = []
    requests_per_task = {}
    for _round in range(rounds):
        empty.append(books.run([])[0])
        for name, (make, env) in table.items():
            seconds, _results, kinds = books.run([make(i) for i in range(tasks)], env)
            samples[name].append(seconds)
            requests_per_task[name] = dict((kind, count / float(tasks)) for kind, count in kinds.items())
    startup = statistics.median(empty)
    per_task = dict((name, max(0.0, statistics.median(values) - startup) / tasks) for name, values in samples.items())
    return startup, per_task, requests_per_task


def measuring_interpreter(work):
    """An executable that Ansible can take as the interpreter (it quotes the value as one word): measured_python.py."""
    path = os.path.join(work, 'measured-python')
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write('#!/bin/sh\nexec %s %s "$@"\n' % (sys.executable, MEASURED_PYTHON))
    os.chmod(path, 0o700)
    return path


def measure(books, make, env, importtime=False):
    """One untimed task through measured_python.py: peak RSS (MiB), CPU ms and, optionally, import-time lines."""
    measure_file = os.path.join(books.work, 'measure-%d.jsonl' % (books.count + 1))
    _seconds, results, _kinds = books.run([make(0)], env, interpreter=measuring_interpreter(books.work),
                                          measure_file=measure_file, importtime=importtime)
    with open(measure_file, encoding='utf-8') as handle:
        records = [json.loads(line) for line in handle]
    module_runs = [r for r in records if any('AnsiballZ' in arg for arg in r['argv'])] or records
    peak = max(r['peak_rss_kib'] for r in module_runs) / 1024.0
    books.last_cpu_ms = 1000 * sum(r.get('cpu_s', 0.0) for r in module_runs)
    return peak, module_runs[-1].get('importtime', []), results


def import_summary(lines, top=12):
    """Total import time and the costliest top-level packages, from ``-X importtime`` lines (cumulative microseconds)."""
    packages = {}
    total = modules = 0
    for line in lines:
        try:
            self_us, _cumulative_us, name = [part.strip() for part in line.replace('import time:', '', 1).split('|')]
            self_us = int(self_us)
        except ValueError:  # the header line
            continue
        modules += 1
        total += self_us
        parts = name.split('.')
        root = '.'.join(parts[:2]) if parts[0] in ('ansible', 'azure') else parts[0]
        if parts[0] == 'ansible_collections':
            root = '.'.join(parts[:6])
        packages[root] = packages.get(root, 0) + self_us
    ranked = sorted(packages.items(), key=lambda item: -item[1])[:top]
    return total / 1000.0, [(name, us / 1000.0) for name, us in ranked], modules


def cpu_model():
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as handle:
            return next(line.split(':', 1)[1].strip() for line in handle if line.startswith('model name'))
    except (OSError, StopIteration):
        return 'unknown CPU'


TOKEN_PATH_SCRIPT = r"""
import json, os, sys, tempfile, time
started = time.perf_counter()
import azure.identity, msal, msal_extensions  # noqa
imported = time.perf_counter()
from ansible_collections.azureml.model_management.plugins.module_utils import cloud as clouds, credentials, token_cache, tokens
source = credentials.CredentialSource(credentials.SERVICE_PRINCIPAL, dict(client_id=os.environ['AZURE_CLIENT_ID'], secret=os.environ['AZURE_SECRET'],
                               tenant=os.environ['AZURE_TENANT']), 'bench', None, os.environ['EMULATOR_URL'], ())
cloud = clouds.resolve_cloud(os.environ['EMULATOR_URL'])
cache = token_cache.CacheSettings('allow_unencrypted', tempfile.mkdtemp())
def token(settings):
    before = time.perf_counter()
    tokens.build_credential(source, cloud, True, settings).get_token(cloud.scope)
    return time.perf_counter() - before
cold = token(token_cache.CACHE_OFF)
token(cache)  # fills the cache
warm = token(cache)
print(json.dumps(dict(imports=imported - started, cold=cold, warm=warm)))
"""


def token_path_costs(emulator, runs=3):
    """Medians (ms) of: importing azure-identity/msal/msal-extensions, a token from the network, a token from the cache."""
    env = dict(os.environ, **emulator.env)
    samples = []
    for _run in range(runs):
        output = subprocess.run([sys.executable, '-c', TOKEN_PATH_SCRIPT], env=env, capture_output=True, text=True, check=True).stdout
        samples.append(json.loads(output.strip().splitlines()[-1]))
    return dict((key, 1000 * statistics.median(sample[key] for sample in samples)) for key in ('imports', 'cold', 'warm'))


def seed_accounts(emulator, names, threads=8):
    """PUT accounts into BIG_GROUP concurrently (set-up, not measured)."""
    pending = list(names)
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not pending:
                    return
                name = pending.pop()
            emulator.put_account(name, resource_group=BIG_GROUP, tags={'team': 'bench', 'cost-center': '1234'},
                                 description='bench account %s' % name)

    workers = [threading.Thread(target=worker) for _number in range(threads)]
    for worker_thread in workers:
        worker_thread.start()
    for worker_thread in workers:
        worker_thread.join()


def big_lists(books, emulator, total):
    """account_info over BIG_GROUP at growing sizes: (count, seconds, peak MiB, JSON MiB)."""
    emulator.arm('PUT', '/subscriptions/%s/resourcegroups/%s' % (emulator.subscription, BIG_GROUP), {'location': 'eastus'},
                 api_version='2021-04-01')

    def make(_index):
        return task('account_info', {'resource_group': BIG_GROUP})

    rows = []
    seeded = 0
    for count in sorted(set([0, total // 4, total // 2, total])):
        seed_accounts(emulator, ['big%05d' % n for n in range(seeded, count)])
        seeded = count
        started = time.perf_counter()
        peak, _lines, results = measure(books, make, {})
        seconds = time.perf_counter() - started
        accounts = results[0]['result']['accounts']
        assert len(accounts) == count, (len(accounts), count)
        rows.append((count, seconds, peak, len(json.dumps(accounts)) / 1048576.0))
    return rows


def write_charts(folder, note, ratios, rows, loads):
    """The SVG charts of one run: ratios {case: (wall x floor, CPU x floor)}, account_info rows, load figures."""
    written = [write_chart(os.path.join(folder, 'performance-per-task.svg'),
                           'Cost of one task, as a multiple of the floor (one uri GET)',
                           [('wall time', [(name, wall) for name, (wall, _cpu) in ratios.items()]),
                            ('module CPU', [(name, cpu) for name, (_wall, cpu) in ratios.items()])],
                           unit='x', reference=(1.0, 'floor'), note=note)]
    if rows:
        sizes = ['{:,} accounts'.format(row[0]) for row in rows]
        written.append(write_chart(os.path.join(folder, 'performance-account-info-time.svg'),
                                   'account_info over one resource group: seconds', list(zip(sizes, [row[1] for row in rows])),
                                   unit=' s', digits=2, note=note))
        written.append(write_chart(os.path.join(folder, 'performance-account-info-memory.svg'),
                                   'account_info over one resource group: memory (MiB)',
                                   [('peak RSS above the empty list', list(zip(sizes, [row[2] - rows[0][2] for row in rows]))),
                                    ('JSON returned', list(zip(sizes, [row[3] for row in rows])))],
                                   unit=' MiB', digits=1, note=note))
    if loads:
        written.append(emulator_chart(folder, loads))
    print('\n== charts: %s' % ', '.join(written))


LOAD_GOAL_P99_MS = 50  # an account GET at 32 clients with 4 writers meanwhile (the emulator's goal; drawn as a line)


def emulator_under_load(seconds, rounds, work):
    """Section 4: [(label, {p50_ms, p99_ms, requests_per_second, cpu_us}), ...], the floor and the emulator at each load.

    Rounds alternate floor and emulator so that both meet the same machine; each figure is the median of its rounds.
    """
    print('\n== emulator under load (tests/tools/load.py: 32 clients GET one account, 4 writers PATCH another; '
          '%d s each, median of %d interleaved rounds)' % (seconds, rounds))
    print('%-9s %-13s %8s %9s %9s %13s' % ('server', 'load', 'GETs/s', 'p50 ms', 'p99 ms', 'CPU us/req.'))
    loads = []
    for rate in (0, 500):
        runs = dict(floor=[], emulator=[])
        for _round in range(rounds):
            for kind in ('floor', 'emulator'):
                started_at = os.getloadavg()[0]
                figures = load.measure(kind, work, seconds=seconds, rate=rate)
                figures['load_average'] = (started_at, os.getloadavg()[0])
                if figures['writes_lost'] or figures['read_errors'] or figures['write_errors']:
                    raise SystemExit('the %s lost a write or answered an error under load: %s' % (kind, figures))
                runs[kind].append(figures)
        medians = {}
        for kind in ('floor', 'emulator'):
            medians[kind] = dict((key, statistics.median(run[key] or 0.0 for run in runs[kind]))
                                 for key in ('requests_per_second', 'p50_ms', 'p99_ms', 'cpu_us'))
            medians[kind]['load_average'] = [value for run in runs[kind] for value in run['load_average']]
            shown = 'back to back' if not rate else 'offered %d/s' % rate
            print('%-9s %-13s %8.0f %9.1f %9.1f %13.0f' % ((kind, shown) + tuple(
                medians[kind][key] for key in ('requests_per_second', 'p50_ms', 'p99_ms', 'cpu_us'))))
            loads.append(('%s, %s' % (kind, shown), medians[kind]))
        ratios = ['%.2f' % (medians['emulator'][key] / medians['floor'][key]) if medians['floor'][key] else '-'
                  for key in ('requests_per_second', 'p50_ms', 'p99_ms', 'cpu_us')]
        print('%-9s %-13s %8s %9s %9s %13s' % tuple(['x floor', ''] + ratios))
    print('goal: p99 of the emulator at most %d ms (the floor shows what the machine allows today)' % LOAD_GOAL_P99_MS)
    return loads


def emulator_chart(folder, loads):
    """performance-emulator.svg: p50 and p99 of the floor and the emulator, the goal as a line, the run under it."""
    averages = [value for _label, figures in loads for value in figures['load_average']]
    note = '32 clients, 4 writers, median of interleaved rounds; %s; %d CPUs, load average %.0f to %.0f' % (
        time.strftime('%Y-%m-%d'), os.cpu_count(), min(averages), max(averages))
    return write_chart(os.path.join(folder, 'performance-emulator.svg'),
                       'An account GET under load: latency (ms)',
                       [('p50', [(label, figures['p50_ms']) for label, figures in loads]),
                        ('p99', [(label, figures['p99_ms']) for label, figures in loads])],
                       unit=' ms', digits=1, reference=(LOAD_GOAL_P99_MS, 'goal: p99 %d ms' % LOAD_GOAL_P99_MS), note=note)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--tasks', type=int, default=10, help='identical tasks per playbook (default 10)')
    parser.add_argument('--rounds', type=int, default=3, help='interleaved rounds; medians are printed (default 3)')
    parser.add_argument('--accounts', type=int, default=10000, help='largest account_info list (default 10000; 0 skips)')
    parser.add_argument('--previous', metavar='REV', help='also time noop and info of this collection at git revision REV')
    parser.add_argument('--repo', default=os.path.dirname(os.path.dirname(HERE)), help='git checkout for --previous')
    parser.add_argument('--load-seconds', type=int, default=10, help='seconds of each emulator load run (default 10; 0 skips)')
    parser.add_argument('--load-rounds', type=int, default=3, help='interleaved rounds of each emulator load run (default 3)')
    parser.add_argument('--charts', metavar='DIR', help='also draw the figures as SVG charts into DIR')
    options = parser.parse_args()
    shown = ' '.join(arg for arg in sys.argv[1:] if arg not in ('--charts', options.charts)) or 'defaults'
    note = 'make bench (%s), %s; %d CPUs, load average %.1f at the start' % (
        shown, time.strftime('%Y-%m-%d'), os.cpu_count(), os.getloadavg()[0])
    ratios, rows, loads = {}, [], []

    work = tempfile.mkdtemp(prefix='azureml-bench-')
    os.makedirs(os.path.join(work, 'emulator'))
    emulator = Emulator(os.path.join(work, 'emulator'), extra_args=['--in-memory', '--log-level', 'WARNING'])
    try:
        emulator.configure(retry_after=0)
        books = Playbooks(emulator, work)
        cache_env = {'ANSIBLE_AZURE_TOKEN_CACHE': 'allow_unencrypted', 'ANSIBLE_AZURE_TOKEN_CACHE_DIR': os.path.join(work, 'token-cache')}
        books.run([task('account', PRESENT)], cache_env)  # creates the account and warms the cache
        previous = previous_collection(options.repo, options.previous, work) if options.previous else None
        table = cases(emulator, emulator.token(), cache_env, previous)
        startup, per_task, requests_per_task = time_cases(books, table, options.tasks, options.rounds)
        floor = per_task['floor']
        print('== machine: %s; %d CPUs; load average at start %.1f; Python %s'
              % (cpu_model(), os.cpu_count(), os.getloadavg()[0], sys.version.split()[0]))
        print('== per task (%d tasks per playbook, median of %d rounds, playbook startup %.3f s subtracted)'
              % (options.tasks, options.rounds, startup))
        print('%-14s %9s %8s %10s %9s %8s   %s' % ('case', 's/task', 'x floor', 'peak MiB', 'CPU ms', 'x floor', 'requests per task'))
        cpu = {}
        for name in table:
            samples = []
            for _run in range(3):
                peak = measure(books, table[name][0], table[name][1])[0]
                samples.append(books.last_cpu_ms)
            cpu[name] = statistics.median(samples)
            ratios[name] = (per_task[name] / floor if floor else None, cpu[name] / cpu['floor'] if cpu['floor'] else None)
            counts = ', '.join('%s %.1f' % (kind, n) for kind, n in sorted(requests_per_task[name].items())) or 'none'
            ratio = per_task[name] / floor if floor else 0.0
            print('%-14s %9.3f %8.2f %10.1f %9.0f %8.2f   %s'
                  % (name, per_task[name], ratio, peak, cpu[name], cpu[name] / cpu['floor'], counts))

        print('\n== imports of the no-op module process (python -X importtime; self time, ms)')
        for label, env in (('cache off', {}), ('cache on', cache_env)):
            _peak, lines, _results = measure(books, table['noop'][0], env, importtime=True)
            total, ranked, modules = import_summary(lines)
            print('%s: %d modules, %.0f ms in all; by package: %s' % (label, modules, total, ', '.join('%s %.0f' % item for item in ranked)))
        costs = token_path_costs(emulator)
        print('token path (fresh interpreter, median of 3): importing azure.identity + msal + msal_extensions %(imports).0f ms; '
              'a token from the network (OpenID discovery + token request) %(cold).0f ms; from the warm cache %(warm).0f ms' % costs)

        if options.accounts:
            print('\n== account_info over one resource group (page size 100)')
            print('%8s %9s %13s %10s %14s %10s' % ('accounts', 'seconds', 's/1000 acc.', 'peak MiB', 'above empty', 'JSON MiB'))
            rows = big_lists(books, emulator, options.accounts)
            base_seconds, base_peak = rows[0][1], rows[0][2]
            for count, seconds, peak, size in rows:
                per_thousand = (seconds - base_seconds) / count * 1000 if count else 0.0
                print('%8d %9.2f %13.3f %10.1f %14.1f %10.2f' % (count, seconds, per_thousand, peak, peak - base_peak, size))
    finally:
        emulator.stop()
    if options.load_seconds:
        loads = emulator_under_load(options.load_seconds, options.load_rounds, work)
    if options.charts:
        write_charts(options.charts, note, ratios, rows, loads)


if __name__ == '__main__':
    main()
