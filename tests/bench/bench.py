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
     each of the last four with the token cache off (the cold path: a token from the identity provider) and on
     (token_cache: allow_unencrypted, warmed first), and, with --previous REV (repeatable), noop and noop+cache of the
     collection as it was at git revision REV (same run, same floor). Each is printed as wall seconds per task and the
     CPU time of the whole playbook per task (ansible-playbook, its workers and the module processes: what other
     processes on the machine move least), each also as the ratio to the floor; with the module process's own CPU
     time and peak RSS (median of 3 more untimed runs through tests/bench/measured_python.py), the size of the
     AnsiballZ file Ansible runs (the module and every module_utils file it may import, zipped) and the requests per
     task (from the emulator's journal).
  2. Imports: ``python -X importtime`` of the floor's module process (the baseline) and of the no-op's, cache off and
     on: how many modules, their self time, the costliest packages and the packages the floor does not import; then,
     in a fresh interpreter, what each token path pays: importing azure-identity and msal and a token from the
     identity provider (the cold path), a token read from the warm cache file by the collection (the warm path, no
     azure-identity) and, for comparison, by azure-identity itself.
  3. account_info over a resource group of 2,500 / 5,000 / --accounts accounts: seconds, seconds per 1,000 accounts
     (linear growth keeps it flat), peak RSS, RSS above an empty list, and the size of the JSON returned.
  4. The emulator under load (tests/tools/load.py): account GETs from 32 keep-alive clients, back to back and at an
     offered 500/s, while 4 writers raise a counter tag of another account (If-Match; lost-write check): requests/s,
     p50, p99 and the server's CPU per request, beside the floor (the same HTTP server and TLS answering a fixed
     document), --load-rounds interleaved rounds of each, medians.
With --charts DIR (make bench: docs/images), the figures are also drawn as SVG charts (tests/bench/charts.py), each
with the run's conditions (date, machine, load average at the start and the end) under it:
performance-per-task.svg, performance-account-info-time.svg, performance-account-info-memory.svg and
performance-emulator.svg.
Nothing here is a test and no number fails anything: the machine's load moves every figure; ratios move less.
"""
import argparse
import json
import os
import resource
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
from charts import cpu_model, run_conditions, write_chart  # noqa: E402 pylint: disable=wrong-import-position,import-error

MEASURED_PYTHON = os.path.join(HERE, 'measured_python.py')
PRESENT = {'name': 'bench', 'resource_group': 'it-rg', 'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}, 'tags': {'a': '1'}}
BIG_GROUP = 'bench-big'
GOAL_WARM = 1.15  # a no-op task with a warm token cache: at most this multiple of the floor


class Playbooks(object):
    """Writes and runs playbooks of identical tasks; returns wall time, task results and the journal's counts."""

    def __init__(self, emulator, work):
        self.emulator = emulator
        self.work = work
        self.ansible = Ansible(emulator, work)
        self.count = 0
        self.last_cpu_ms = 0.0
        self.last_payload = 0
        self.last_playbook_cpu = 0.0

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
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        process = subprocess.run(command, env=self.ansible.environment(extra=extra), capture_output=True, text=True,
                                 timeout=1800, check=False, cwd=self.work)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # ansible-playbook, its workers and the module processes
        self.last_playbook_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
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
    root = os.path.join(work, 'previous-' + revision)
    target = os.path.join(root, 'ansible_collections', 'azureml', 'model_management')
    os.makedirs(target)
    archive = subprocess.run(['git', '-C', repo, 'archive', '--format=tar', revision], capture_output=True, check=True).stdout
    subprocess.run(['tar', '-x', '-C', target], input=archive, check=True)
    return root


def cases(emulator, token, cache_env, previous=None):
    """name -> (task factory taking the task's index, environment). ``previous``: {revision: collections path}."""
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
    for revision, path in (previous or {}).items():
        table['noop@' + revision] = (lambda i: task('account', PRESENT), {'ANSIBLE_COLLECTIONS_PATH': path})
        table['noop+cache@' + revision] = (lambda i: task('account', PRESENT), dict(cache_env, ANSIBLE_COLLECTIONS_PATH=path))
    return table


def time_cases(books, table, tasks, rounds):
    """Per task, the empty playbook subtracted, medians over interleaved rounds: (startup seconds, {case: seconds},
    {case: CPU seconds of the whole playbook: controller, workers and module processes}, {case: requests by kind})."""
    samples = dict((name, []) for name in table)
    cpu_samples = dict((name, []) for name in table)
    empty, empty_cpu = [], []
    requests_per_task = {}
    for _round in range(rounds):
        empty.append(books.run([])[0])
        empty_cpu.append(books.last_playbook_cpu)
        for name, (make, env) in table.items():
            seconds, _results, kinds = books.run([make(i) for i in range(tasks)], env)
            samples[name].append(seconds)
            cpu_samples[name].append(books.last_playbook_cpu)
            requests_per_task[name] = dict((kind, count / float(tasks)) for kind, count in kinds.items())

    def per_task(values, base):
        return max(0.0, statistics.median(values) - statistics.median(base)) / tasks
    return (statistics.median(empty), dict((name, per_task(values, empty)) for name, values in samples.items()),
            dict((name, per_task(values, empty_cpu)) for name, values in cpu_samples.items()), requests_per_task)


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
    books.last_payload = max(r.get('payload_bytes') or 0 for r in module_runs)
    return peak, module_runs[-1].get('importtime', []), results


def import_summary(lines, top=12):
    """(total ms, costliest packages [(name, ms)], modules, {package: ms}) from ``-X importtime`` lines (self times)."""
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
        if parts[0] == 'ansible_collections':  # the collection's own files, by name: "collection:arm"
            root = 'collection:' + parts[5] if len(parts) > 5 else 'collection'
        packages[root] = packages.get(root, 0) + self_us
    ranked = sorted(packages.items(), key=lambda item: -item[1])[:top]
    return total / 1000.0, [(name, us / 1000.0) for name, us in ranked], modules, dict((name, us / 1000.0) for name, us in packages.items())


TOKEN_PATH_SCRIPT = r"""
import json, os, sys, time
started = time.perf_counter()
from ansible_collections.azureml.model_management.plugins.module_utils import cloud as clouds, connection, credentials, token_cache
source = credentials.CredentialSource(credentials.SERVICE_PRINCIPAL, dict(client_id=os.environ['AZURE_CLIENT_ID'], secret=os.environ['AZURE_SECRET'],
                               tenant=os.environ['AZURE_TENANT']), 'bench', None, os.environ['EMULATOR_URL'], ())
cloud = clouds.resolve_cloud(os.environ['EMULATOR_URL'])
cache = token_cache.CacheSettings('allow_unencrypted', sys.argv[1])
if sys.argv[2] == 'collection':  # the warm path of a task: the cache file read without azure-identity
    before = time.perf_counter()
    found = connection.cached_token_reader(source, cloud, cache)(time.time())
    figures = dict(warm_file=time.perf_counter() - before, found=bool(found), azure_identity_imported='azure.identity' in sys.modules)
else:  # the cold path: azure-identity imported, a token from the identity provider; then azure-identity reading its cache
    before = time.perf_counter()
    import azure.identity, msal, msal_extensions  # noqa
    from ansible_collections.azureml.model_management.plugins.module_utils import token_fetch
    imports = time.perf_counter() - before
    def token(settings):
        before = time.perf_counter()
        token_fetch.build_credential(source, cloud, True, settings).get_token(cloud.scope)
        return time.perf_counter() - before
    cold = token(token_cache.CACHE_OFF)
    token(cache)  # fills the cache
    figures = dict(imports=imports, cold=cold, warm_identity=token(cache))
print(json.dumps(figures))
"""


def token_path_costs(emulator, work, runs=3):
    """Medians (ms) of: importing azure-identity/msal/msal-extensions, a token from the network (the cold path); a token
    read from the warm cache by the collection (the warm path) and by azure-identity. Fresh interpreters each."""
    env = dict(os.environ, **emulator.env)
    samples = []
    for run in range(runs):
        directory = os.path.join(work, 'token-path-%d' % run)
        os.makedirs(directory, mode=0o700)
        sample = {}
        for mode in ('identity', 'collection'):
            output = subprocess.run([sys.executable, '-c', TOKEN_PATH_SCRIPT, directory, mode], env=env, capture_output=True, text=True,
                                    check=True).stdout
            sample.update(json.loads(output.strip().splitlines()[-1]))
        if not sample['found'] or sample['azure_identity_imported']:
            sys.exit('the warm path did not find the token without azure-identity: %s' % sample)
        samples.append(sample)
    return dict((key, 1000 * statistics.median(sample[key] for sample in samples)) for key in ('imports', 'cold', 'warm_identity', 'warm_file'))


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


def write_charts(folder, note, ratios, rows, loads, conditions=''):
    """The SVG charts of one run: ratios {case: (wall, task CPU, module CPU) x floor}, account_info rows, load figures."""
    written = [write_chart(os.path.join(folder, 'performance-per-task.svg'),
                           'Cost of one task, as a multiple of the floor (one uri GET with a ready token)',
                           [('wall time per task', [(name, wall) for name, (wall, _task, _module) in ratios.items()]),
                            ('task CPU (controller and module)', [(name, task) for name, (_wall, task, _module) in ratios.items()]),
                            ('module CPU', [(name, module) for name, (_wall, _task, module) in ratios.items()])],
                           unit='x', value_title='multiple of the floor (x)', label_title='case',
                           thresholds=[(1.0, 'floor'), (GOAL_WARM, 'goal with a warm cache: %.2fx' % GOAL_WARM)],
                           note=note + '; +cache: token_cache allow_unencrypted, warmed first', conditions=conditions)]
    if rows:
        sizes = ['{:,}'.format(row[0]) for row in rows]
        written.append(write_chart(os.path.join(folder, 'performance-account-info-time.svg'),
                                   'account_info over one resource group: seconds for the task', list(zip(sizes, [row[1] for row in rows])),
                                   unit=' s', digits=2, value_title='seconds (s)', label_title='accounts', note=note, conditions=conditions))
        written.append(write_chart(os.path.join(folder, 'performance-account-info-memory.svg'),
                                   'account_info over one resource group: memory of the module process',
                                   [('peak RSS above the empty list', list(zip(sizes, [row[2] - rows[0][2] for row in rows]))),
                                    ('JSON returned', list(zip(sizes, [row[3] for row in rows])))],
                                   unit=' MiB', digits=1, value_title='MiB', label_title='accounts', note=note, conditions=conditions))
    if loads:
        written.append(emulator_chart(folder, loads, conditions))
    print('\n== charts: %s' % ', '.join(written))


def per_task(books, table, options):
    """Section 1: the table of cases; returns {case: (wall x floor, playbook CPU x floor, module CPU x floor)}."""
    startup, seconds, task_cpu, requests_per_task = time_cases(books, table, options.tasks, options.rounds)
    print('== per task (%d tasks per playbook, median of %d rounds, the empty playbook (%.3f s) subtracted)' % (options.tasks, options.rounds, startup))
    columns = ('case', 's/task', 'x floor', 'task CPU', 'x floor', 'module', 'x floor', 'peak MiB', 'AnsiballZ', 'requests per task')
    print('%-20s %7s %7s %8s %7s %7s %7s %8s %9s   %s' % columns)
    ratios = {}
    for name in table:
        module_cpu = []
        for _run in range(3):
            peak = measure(books, table[name][0], table[name][1])[0]
            module_cpu.append(books.last_cpu_ms)
        module_cpu = statistics.median(module_cpu)
        if name == 'floor':
            floor_module_cpu = module_cpu
        ratios[name] = (_ratio(seconds[name], seconds['floor']), _ratio(task_cpu[name], task_cpu['floor']), _ratio(module_cpu, floor_module_cpu))
        counts = ', '.join('%s %.1f' % (kind, n) for kind, n in sorted(requests_per_task[name].items())) or 'none'
        print('%-20s %7.3f %7.2f %5.0f ms %7.2f %4.0f ms %7.2f %8.1f %5.0f KiB   %s'
              % (name, seconds[name], ratios[name][0], 1000 * task_cpu[name], ratios[name][1], module_cpu, ratios[name][2], peak,
                 books.last_payload / 1024.0, counts))
    print('task CPU: the whole playbook\'s (controller, workers, module processes), which other processes on the machine move far less '
          'than wall time; module: the module process alone')
    for name, path in (('noop+cache', 'warm path'), ('noop', 'cold path')):
        print('%s (%s): %.2fx the floor in wall time, %.2fx in task CPU, %.2fx in module CPU%s'
              % ((name, path) + ratios[name] + ('; goal <= %.2fx' % GOAL_WARM if name == 'noop+cache' else '',)))
    return ratios


def _ratio(value, floor):
    return value / floor if floor else 0.0


def imports(books, table, cache_env):
    """Section 2: what the floor's and the no-op's module processes import, and what each token path costs."""
    print('\n== imports (python -X importtime of the module process; self time, ms)')
    baseline = None
    for label, name, env in (('floor (uri)', 'floor', {}), ('noop, cache off', 'noop', {}), ('noop, cache on', 'noop', cache_env)):
        _peak, lines, _results = measure(books, table[name][0], env, importtime=True)
        total, ranked, modules, packages = import_summary(lines)
        print('%s: %d modules, %.0f ms in all; by package: %s' % (label, modules, total, ', '.join('%s %.0f' % item for item in ranked)))
        if baseline is None:
            baseline = packages
            continue
        extra = sorted(((ms, package) for package, ms in packages.items() if package not in baseline), reverse=True)
        own = [ms for ms, package in extra if package.startswith('collection')]
        print('    not imported by the floor: %.0f ms, of which the collection\'s own %d files %.0f ms; %s'
              % (sum(ms for ms, _package in extra), len(own), sum(own), ', '.join('%s %.0f' % (p, ms) for ms, p in extra[:12])))


def token_paths(emulator, work):
    costs = token_path_costs(emulator, work)
    print('token paths (fresh interpreters, median of 3): cold: importing azure.identity + msal + msal_extensions %(imports).0f ms, '
          'then a token from the identity provider (OpenID discovery + token request) %(cold).0f ms; warm: the cache file read by '
          'the collection %(warm_file).1f ms (azure-identity not imported), by azure-identity %(warm_identity).1f ms (after its imports)' % costs)


def account_info_lists(books, emulator, total):
    """Section 3: account_info over a growing resource group; returns the rows."""
    print('\n== account_info over one resource group (page size 100)')
    print('%8s %9s %13s %10s %14s %10s' % ('accounts', 'seconds', 's/1000 acc.', 'peak MiB', 'above empty', 'JSON MiB'))
    rows = big_lists(books, emulator, total)
    base_seconds, base_peak = rows[0][1], rows[0][2]
    for count, seconds, peak, size in rows:
        per_thousand = (seconds - base_seconds) / count * 1000 if count else 0.0
        print('%8d %9.2f %13.3f %10.1f %14.1f %10.2f' % (count, seconds, per_thousand, peak, peak - base_peak, size))
    return rows


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


def emulator_chart(folder, loads, conditions=''):
    """performance-emulator.svg: p50 and p99 of the floor and the emulator, the goal as a line, the run under it."""
    averages = [value for _label, figures in loads for value in figures['load_average']]
    note = '32 clients, 4 writers, median of interleaved rounds; %s; %d CPUs, load average %.0f to %.0f' % (
        time.strftime('%Y-%m-%d'), os.cpu_count(), min(averages), max(averages))
    return write_chart(os.path.join(folder, 'performance-emulator.svg'),
                       'An account GET under load: latency (ms)',
                       [('p50', [(label, figures['p50_ms']) for label, figures in loads]),
                        ('p99', [(label, figures['p99_ms']) for label, figures in loads])],
                       unit=' ms', digits=1, value_title='milliseconds (ms)', label_title='server, load',
                       thresholds=[(LOAD_GOAL_P99_MS, 'goal: p99 %d ms' % LOAD_GOAL_P99_MS)], note=note, conditions=conditions)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--tasks', type=int, default=10, help='identical tasks per playbook (default 10)')
    parser.add_argument('--rounds', type=int, default=3, help='interleaved rounds; medians are printed (default 3)')
    parser.add_argument('--accounts', type=int, default=10000, help='largest account_info list (default 10000; 0 skips)')
    parser.add_argument('--previous', metavar='REV', action='append', default=[],
                        help='also time noop and noop+cache of this collection at git revision REV (repeatable)')
    parser.add_argument('--repo', default=os.path.dirname(os.path.dirname(HERE)), help='git checkout for --previous')
    parser.add_argument('--load-seconds', type=int, default=10, help='seconds of each emulator load run (default 10; 0 skips)')
    parser.add_argument('--load-rounds', type=int, default=3, help='interleaved rounds of each emulator load run (default 3)')
    parser.add_argument('--charts', metavar='DIR', help='also draw the figures as SVG charts into DIR')
    options = parser.parse_args()
    shown = ' '.join(arg for arg in sys.argv[1:] if arg not in ('--charts', options.charts)) or 'defaults'
    note = 'make bench (%s)' % shown
    load_start, started = os.getloadavg()[0], time.time()
    print('== machine: %s; %d CPUs; load average at start %.1f; Python %s' % (cpu_model(), os.cpu_count(), load_start, sys.version.split()[0]))
    ratios, rows, loads = {}, [], []

    work = tempfile.mkdtemp(prefix='azureml-bench-')
    os.makedirs(os.path.join(work, 'emulator'))
    emulator = Emulator(os.path.join(work, 'emulator'), extra_args=['--in-memory', '--log-level', 'WARNING'])
    try:
        emulator.configure(retry_after=0)
        books = Playbooks(emulator, work)
        cache_env = {'ANSIBLE_AZURE_TOKEN_CACHE': 'allow_unencrypted', 'ANSIBLE_AZURE_TOKEN_CACHE_DIR': os.path.join(work, 'token-cache')}
        books.run([task('account', PRESENT)], cache_env)  # creates the account and warms the cache
        previous = dict((revision, previous_collection(options.repo, revision, work)) for revision in options.previous)
        table = cases(emulator, emulator.token(), cache_env, previous)
        ratios = per_task(books, table, options)
        imports(books, table, cache_env)
        token_paths(emulator, work)
        if options.accounts:
            rows = account_info_lists(books, emulator, options.accounts)
    finally:
        emulator.stop()
    if options.load_seconds:
        loads = emulator_under_load(options.load_seconds, options.load_rounds, work)
    conditions = run_conditions(load_start, os.getloadavg()[0], when=started)
    print('\n== conditions: %s' % conditions)
    if options.charts:
        write_charts(options.charts, note, ratios, rows, loads, conditions)


if __name__ == '__main__':
    main()
