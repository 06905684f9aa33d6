"""Benchmark of fleets (issue 13): the fleet module azureml.model_management.accounts, one task for many accounts.

    make bench-fleet     (make bench runs it after tests/bench/bench.py)
    python tests/bench/fleet_bench.py [--big 10000] [--per-account 100] [--previous REV] [--charts DIR]

Against one fresh emulator (page size 100), in one run, each case beside one ``account_info`` task listing the same
resource group (the cheapest way Ansible can read the same accounts):
  1. no change, 1,000 accounts: wall time of the playbook (target 10 s) and the requests it sent (target: at most
     15 Resource Manager requests, the pages; the token requests are counted apart), peak RSS of the module process;
  2. check mode, 1,000 accounts of which 10 differ from their declaration: the plan must name exactly those 10;
  3. 1,000 creates with the emulator's throttling on (Azure's buckets: 200 writes, 10 refilled per second): failures
     (target 0), 429 answers, and the time against the bucket limit of (1,000 - 200) / 10 = 80 s (target 1.3x);
  4. no change, --big accounts (10,000): time per 1,000 accounts against case 1 (linear growth keeps it flat), peak RSS;
  5. no change, --per-account accounts (100): the role (one fleet task) and the per-account role as it was at git
     revision --previous (default PER_ACCOUNT_ROLE_REV, the last commit before the fleet module: one module run per
     account), with the ratios between them;
  6. K runs at once under one principal (--shared-runs, default 1, 2 and 4; each an ansible-playbook process as AWX
     slices are), each creating --shared-accounts accounts (250) with throttling on: failures (target 0), 429 answers,
     and the wall time of all K against their joint bucket floor (K x 250 - 200) / 10 s (target 1.2x);
  7. one run creating --accounts (1,000) accounts in each of two subscriptions with throttling on: failures (target 0)
     and the time against one subscription's bucket floor (1,000 - 200) / 10 = 80 s (target 1.3x: Resource Manager's
     buckets are per subscription, so two apply in the time of one).
Cases can be chosen with --cases (default all).
Nothing here is a test and no number fails anything: the machine's load moves every figure; ratios move less.
"""
import argparse
import calendar
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from concurrent.futures import ThreadPoolExecutor  # noqa: E402 pylint: disable=wrong-import-order,wrong-import-position

from bench import Playbooks, cpu_model, measure, previous_collection, task  # noqa: E402 pylint: disable=wrong-import-position,import-error
from charts import run_conditions, write_chart  # noqa: E402 pylint: disable=wrong-import-position,import-error
from fleet import SECOND_SUBSCRIPTION, create_accounts  # noqa: E402 pylint: disable=wrong-import-position,import-error
from harness import Emulator  # noqa: E402 pylint: disable=wrong-import-position,import-error

# The emulator's switch for Resource Manager's throttling (docs/emulator.md, "Throttling"): a runtime config key.
THROTTLING_KEY = 'throttling'
BUCKET = (200, 10.0)  # Azure's writes bucket: size, tokens per second (the emulator's default with throttling on)
PER_ACCOUNT_ROLE_REV = '6257f46'  # the role before the fleet module (tasks/fleet.yml looping the account module)
TAGS = {'managed-by': 'bench'}


def declared(count, prefix, changed=()):
    """``count`` accounts as declared; those whose index is in ``changed`` ask for capacity 2."""
    return [{'name': '%s%05d' % (prefix, index), 'location': 'eastus', 'tags': dict(TAGS),
             'sku': {'name': 'S1', 'capacity': 2 if index in changed else 1}} for index in range(count)]


def seed(emulator, group, count, prefix):
    emulator.arm('PUT', '/subscriptions/%s/resourcegroups/%s' % (emulator.subscription, group), {'location': 'eastus'},
                 api_version='2021-04-01')
    specs = [dict(entry, subscription=emulator.subscription, resource_group=group) for entry in declared(count, prefix)]
    create_accounts(emulator, specs, workers=12)


def fleet_task(group, entries, **extra):
    return task('accounts', dict({'resource_group': group, 'accounts': entries}, **extra))


def role_play(group, entries):
    return [{'hosts': 'localhost', 'gather_facts': False, 'connection': 'local',
             'roles': [{'role': 'azureml.model_management.accounts', 'accounts_resource_group': group, 'accounts_list': entries}]}]


class Run(object):
    """One playbook run: wall seconds, the task results, the emulator's journal counts, 429s, and the module's result."""

    def __init__(self, books, tasks=None, play=None, env=None, check=False):
        emulator = books.emulator
        path = books.write(tasks or [])
        if play is not None:
            with open(path, 'w', encoding='utf-8') as handle:
                json.dump(play, handle)  # JSON is YAML
        emulator.clear_journal()
        args = ['--check'] if check else []
        started = time.perf_counter()
        self.process, self.records = books.ansible.playbook_results(path, *args, extra=env or {})
        self.seconds = time.perf_counter() - started
        journal = emulator.journal(None)
        self.kinds = {}
        for entry in journal:
            self.kinds[entry['kind']] = self.kinds.get(entry['kind'], 0) + 1
        self.throttled = sum(1 for entry in journal if entry['status'] == 429)
        self.writes = sum(1 for entry in journal if entry['kind'] == 'arm' and entry['method'] != 'GET')
        self.result = self.records[-1]['result'] if self.records else {}
        self.failed = self.process.returncode != 0

    def requests(self):
        return ', '.join('%s %d' % item for item in sorted(self.kinds.items())) or 'none'


class SharedRuns(object):
    """``len(plays)`` playbook runs started at once (one process each, one principal): wall time of all, 429 answers,
    each run's result and whether any failed."""

    def __init__(self, books, plays):
        emulator = books.emulator
        paths = [books.write(tasks) for tasks in plays]
        emulator.clear_journal()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(paths)) as pool:
            done = list(pool.map(books.ansible.playbook_results, paths))
        self.seconds = time.perf_counter() - started
        journal = emulator.journal()
        self.throttled = sum(1 for entry in journal if entry['status'] == 429)
        writes = sorted(when(entry) for entry in journal if entry['method'] == 'PUT' and entry['status'] != 429)
        self.span = writes[-1] - writes[0] if writes else 0.0  # from the first admitted write to the last
        self.results = [records[-1]['result'] if records else {} for _process, records in done]
        self.failed = sum(1 for process, _records in done if process.returncode != 0)
        self.accounts_failed = sum((result.get('counts') or {}).get('failed', 0) for result in self.results)
        self.created = sum((result.get('counts') or {}).get('create', 0) for result in self.results)
        self.pauses = [result.get('throttle_pauses') for result in self.results]


def two_subscriptions(books, emulator, count, figures):
    """Case 7: ``count`` creates in each of two subscriptions, one run, against Azure's buckets."""
    subscriptions = (emulator.subscription, SECOND_SUBSCRIPTION)
    for subscription in subscriptions:
        emulator.arm('PUT', '/subscriptions/%s/resourcegroups/fleet-two' % subscription, {'location': 'eastus'},
                     api_version='2021-04-01')
    emulator.configure(**{THROTTLING_KEY: True})  # every bucket full again
    entries = [dict(entry, subscription_id=subscription) for number, subscription in enumerate(subscriptions)
               for entry in declared(count, 't%d-' % number)]
    creates = Run(books, [fleet_task('fleet-two', entries)])
    emulator.configure(**{THROTTLING_KEY: False})
    floor = max(0, count - BUCKET[0]) / BUCKET[1]
    counts = creates.result.get('counts', {})
    row('7. creates in 2 subscriptions, one run', 2 * count, creates, None,
        'created %s, failed %s, 429 answers %d; one subscription\'s floor %.0f s, %.2fx (target <= 1.3x)'
        % (counts.get('create'), counts.get('failed'), creates.throttled, floor, creates.seconds / floor if floor else 0))
    figures['subscriptions'] = (creates.seconds, floor)


def when(entry):
    """Seconds since the epoch of a journal entry's time (ISO 8601, UTC, with microseconds)."""
    return calendar.timegm(time.strptime(entry['time'][:19], '%Y-%m-%dT%H:%M:%S')) + float('0' + entry['time'][19:].rstrip('Z'))


def shared_principal(books, emulator, runs, accounts):
    """Case 6: ``runs`` runs at once, each creating ``accounts`` in a group of its own, against Azure's buckets."""
    group = 'fleet-shared-%d' % runs
    emulator.arm('PUT', '/subscriptions/%s/resourcegroups/%s' % (emulator.subscription, group), {'location': 'eastus'},
                 api_version='2021-04-01')
    emulator.configure(**{THROTTLING_KEY: True})  # every bucket full again
    plays = [[fleet_task(group, declared(accounts, 'r%dk%d-' % (run, runs)))] for run in range(runs)]
    shared = SharedRuns(books, plays)
    emulator.configure(**{THROTTLING_KEY: False})
    floor = max(0, runs * accounts - BUCKET[0]) / BUCKET[1]
    ratio = (shared.seconds / floor, shared.span / floor) if floor else (0, 0)
    figures = (shared.created, shared.accounts_failed, shared.throttled, shared.pauses, floor, ratio[0], shared.span, ratio[1])
    note = ('created %d, failed %d, 429 answers %d, pauses per run %s; joint floor %.0f s, %.2fx (target <= 1.2x); first to'
            ' last write %.1f s, %.2fx' % figures)
    print(ROW % ('6. %d run%s at once, one principal' % (runs, '' if runs == 1 else 's'), '{:,}'.format(runs * accounts),
                 '%.2f' % shared.seconds, 'FAIL' if shared.failed else 'ok', '-', note))
    return shared.seconds, floor


def peak_mib(books, make):
    """Peak RSS of the module process of one more (untimed) run of ``make``."""
    return measure(books, make, {})[0]


ROW = '%-40s %8s %9s %7s %10s  %s'


def row(label, count, run, peak=None, note=''):
    print(ROW % (label, '{:,}'.format(count), '%.2f' % run.seconds, 'FAIL' if run.failed else 'ok',
                 '%.1f' % peak if peak is not None else '-', '%s%s' % (run.requests(), '; ' + note if note else '')))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--accounts', type=int, default=1000, help='accounts of cases 1-3 (default 1000)')
    parser.add_argument('--big', type=int, default=10000, help='accounts of case 4 (default 10000; 0 skips)')
    parser.add_argument('--per-account', type=int, default=100, help='accounts of case 5 (default 100; 0 skips)')
    parser.add_argument('--previous', default=PER_ACCOUNT_ROLE_REV, help='git revision of the per-account role (case 5)')
    parser.add_argument('--repo', default=os.path.dirname(os.path.dirname(HERE)), help='git checkout for --previous')
    parser.add_argument('--no-throttling', action='store_true', help='skip case 3')
    parser.add_argument('--shared-runs', default='1,2,4', help='case 6: numbers of runs at once (default 1,2,4)')
    parser.add_argument('--shared-accounts', type=int, default=250, help='case 6: creates per run (default 250)')
    parser.add_argument('--cases', default='1,2,3,4,5,6,7', help='the cases to run (default all: 1,2,3,4,5,6,7)')
    parser.add_argument('--charts', metavar='DIR', help='also draw the figures as SVG charts into DIR')
    options = parser.parse_args()
    cases = set(int(case) for case in options.cases.split(',') if case.strip())
    count = options.accounts
    note = 'make bench-fleet (%s)' % (' '.join(arg for arg in sys.argv[1:] if arg not in ('--charts', options.charts)) or 'defaults')
    load_start, started = os.getloadavg()[0], time.time()
    figures = {}

    work = tempfile.mkdtemp(prefix='azureml-fleet-bench-')
    os.makedirs(os.path.join(work, 'emulator'))
    emulator_args = ['--in-memory', '--log-level', 'WARNING', '--subscription', SECOND_SUBSCRIPTION]
    emulator = Emulator(os.path.join(work, 'emulator'), extra_args=emulator_args)
    try:
        books = Playbooks(emulator, work)
        print('== machine: %s; %d CPUs; load average at start %.1f; Python %s'
              % (cpu_model(), os.cpu_count(), os.getloadavg()[0], sys.version.split()[0]))
        print('== empty playbook (Ansible start-up, included in every figure below): %.2f s' % Run(books, []).seconds)
        print(ROW % ('case', 'accounts', 'seconds', 'result', 'peak MiB', 'requests (journal kinds)'))

        if cases & {1, 2}:
            no_change(books, emulator, count, cases, figures)
        if 3 in cases and not options.no_throttling:
            throttled_creates(books, emulator, count, figures)
        if 4 in cases and options.big:
            big_fleet(books, emulator, options.big, count, figures)
        if 5 in cases and options.per_account:
            role_cases(books, emulator, options, work, figures)
        if 6 in cases:
            figures['shared'] = [(runs,) + shared_principal(books, emulator, runs, options.shared_accounts)
                                 for runs in (int(n) for n in options.shared_runs.split(',') if n.strip() and int(n))]
        if 7 in cases:
            two_subscriptions(books, emulator, count, figures)
    finally:
        emulator.stop()
    if options.charts:
        write_charts(options.charts, note, figures, count, options, run_conditions(load_start, os.getloadavg()[0], when=started))


def unchanged_fleet(books, emulator, group, count, prefix):
    """A seeded group of ``count`` accounts declared as they are: the fleet run, one account_info run, the peak RSS."""
    seed(emulator, group, count, prefix)
    entries = declared(count, prefix)
    run = Run(books, [fleet_task(group, entries)])
    info = Run(books, [task('account_info', {'resource_group': group})])
    return run, info, peak_mib(books, lambda _i: fleet_task(group, entries))


def no_change(books, emulator, count, cases, figures):
    """Cases 1 and 2 (and the 1,000 figures case 4 compares with)."""
    noop, info, noop_peak = unchanged_fleet(books, emulator, 'fleet-1k', count, 'k')
    row('1. no change (fleet module)', count, noop, noop_peak, 'changed %s, target <= 10 s and <= 15 arm'
        % noop.result.get('changed'))
    row('   account_info of the same group', count, info, None, 'fleet / info %.2fx' % (noop.seconds / info.seconds))
    figures['noop'] = (noop.seconds, info.seconds, noop_peak)
    if 2 in cases:
        changed = set(range(0, count, max(1, count // 10)))
        plan = Run(books, [fleet_task('fleet-1k', declared(count, 'k', changed))], check=True)
        named = sorted(r['name'] for r in plan.result.get('accounts', []) if r['changed'])
        expected = sorted('k%05d' % index for index in changed)
        row('2. check mode, %d changes' % len(changed), count, plan, None,
            'names exactly those %d: %s; writes %d' % (len(changed), 'yes' if named == expected else 'NO: %s' % named, plan.writes))


def throttled_creates(books, emulator, count, figures):
    """Case 3: ``count`` creates in one run against Azure's buckets."""
    emulator.configure(**{THROTTLING_KEY: True})
    emulator.arm('PUT', '/subscriptions/%s/resourcegroups/fleet-new' % emulator.subscription, {'location': 'eastus'},
                 api_version='2021-04-01')
    emulator.configure(**{THROTTLING_KEY: True})  # refills every bucket after the set-up write
    creates = Run(books, [fleet_task('fleet-new', declared(count, 'n'))])
    emulator.configure(**{THROTTLING_KEY: False})
    limit = max(0, count - BUCKET[0]) / BUCKET[1]
    counts = creates.result.get('counts', {})
    row('3. creates, throttling on', count, creates, None,
        'created %s, failed %s, 429 answers %d, run paused %s times; bucket limit %.0f s, %.2fx (target <= 1.3x)'
        % (counts.get('create'), counts.get('failed'), creates.throttled, creates.result.get('throttle_pauses'), limit,
           creates.seconds / limit if limit else 0))
    figures['creates'] = (creates.seconds, limit)


def big_fleet(books, emulator, big, count, figures):
    """Case 4: no change at ``big`` accounts, per 1,000 against case 1."""
    run, info, peak = unchanged_fleet(books, emulator, 'fleet-big', big, 'b')
    at_count = ' (at %s: %.2f)' % ('{:,}'.format(count), figures['noop'][0] / count * 1000) if 'noop' in figures else ''
    row('4. no change (fleet module)', big, run, peak, 's per 1,000: %.2f%s' % (run.seconds / big * 1000, at_count))
    row('   account_info of the same group', big, info, None, 'fleet / info %.2fx' % (run.seconds / info.seconds))
    declared_file = os.path.join(books.work, 'declared-%d.json' % big)
    with open(declared_file, 'w', encoding='utf-8') as handle:
        json.dump(declared(big, 'b'), handle)
    from_file = Run(books, [task('accounts', {'resource_group': 'fleet-big', 'accounts_file': declared_file})])
    file_peak = peak_mib(books, lambda _i: task('accounts', {'resource_group': 'fleet-big', 'accounts_file': declared_file}))
    row('   the same from accounts_file', big, from_file, file_peak, 'changed %s; file / info %.2fx (target <= 1.5x)'
        % (from_file.result.get('changed'), from_file.seconds / info.seconds))
    figures['big'] = (run.seconds, info.seconds, peak, figures['noop'][2] if 'noop' in figures else None, from_file.seconds)


def role_cases(books, emulator, options, work, figures):
    """Case 5: the role and the per-account role it replaced."""
    small = options.per_account
    seed(emulator, 'fleet-100', small, 's')
    small_entries = declared(small, 's')
    previous = previous_collection(options.repo, options.previous, work)
    role_now = Run(books, play=role_play('fleet-100', small_entries))
    role_then = Run(books, play=role_play('fleet-100', small_entries), env={'ANSIBLE_COLLECTIONS_PATH': previous})
    small_info = Run(books, [task('account_info', {'resource_group': 'fleet-100'})])
    row('5. no change, the role (fleet module)', small, role_now, None, 'role / info %.2fx' % (role_now.seconds / small_info.seconds))
    row('   the per-account role at %s' % options.previous, small, role_then, None,
        'per-account / fleet role %.1fx; per-account / info %.1fx'
        % (role_then.seconds / role_now.seconds, role_then.seconds / small_info.seconds))
    row('   account_info of the same group', small, small_info)
    figures['small'] = (role_now.seconds, role_then.seconds, small_info.seconds)


def write_charts(folder, note, figures, count, options, conditions=''):
    series = []
    if 'small' in figures:
        now, then, info = figures['small']
        series.append(('{:,} accounts'.format(options.per_account), [('per-account role', then), ('fleet role', now), ('account_info', info)]))
    if 'noop' in figures:
        series.append(('{:,} accounts'.format(count), [('fleet module', figures['noop'][0]), ('account_info', figures['noop'][1])]))
    if 'big' in figures:
        big = [('fleet module', figures['big'][0]), ('fleet, accounts_file', figures['big'][4]), ('account_info', figures['big'][1])]
        series.append(('{:,} accounts'.format(options.big), big))
    pairs = [('%s: %s' % (size, label), value) for size, values in series for label, value in values]
    written = []
    titles = dict(value_title='seconds (s)', note=note, conditions=conditions)
    if pairs:
        written.append(write_chart(os.path.join(folder, 'fleet-no-change.svg'), 'Fleets with no change: seconds for the whole playbook',
                                   pairs, unit=' s', digits=1, label_title='accounts: task', **titles))
    if 'creates' in figures:  # measurements are bars; the limit and the target are lines
        seconds, limit = figures['creates']
        written.append(write_chart(os.path.join(folder, 'fleet-throttled-creates.svg'),
                                   '{:,} creates with throttling on: seconds'.format(count), [('the fleet module', seconds)],
                                   unit=' s', digits=1, thresholds=[(limit, 'bucket limit'), (1.3 * limit, 'target: 1.3x the bucket limit')],
                                   **titles))
    if 'subscriptions' in figures:
        seconds, floor = figures['subscriptions']
        written.append(write_chart(os.path.join(folder, 'fleet-two-subscriptions.svg'),
                                   '{:,} creates in each of 2 subscriptions, one run: seconds'.format(count),
                                   [('the fleet module', seconds)], unit=' s', digits=1,
                                   thresholds=[(floor, "one subscription's floor"), (1.3 * floor, "target: 1.3x that floor")], **titles))
    if figures.get('shared'):
        pairs = [('%d run%s at once' % (runs, '' if runs == 1 else 's'), seconds / floor if floor else None)
                 for runs, seconds, floor in figures['shared']]
        written.append(write_chart(os.path.join(folder, 'fleet-shared-principal.svg'),
                                   'Runs sharing one principal, %d creates each: wall time / joint bucket floor'
                                   % options.shared_accounts, pairs, unit='x', digits=2, value_title='multiple of the floor (x)',
                                   label_title='runs at once', thresholds=[(1.0, 'joint bucket floor'), (1.2, 'target 1.2x')],
                                   note=note, conditions=conditions))
    print('\n== charts: %s' % ', '.join(written))


if __name__ == '__main__':
    main()
