"""Benchmark (not a test): ``ansible-inventory --list`` with the accounts inventory plugin at growing fleet sizes.

    python tests/bench/inventory_bench.py [--sizes 100,1000,10000] [--rounds 3] [--baseline COLLECTIONS_PATH]

Run from the installed collection (ANSIBLE_COLLECTIONS_PATH set, as ``make bench`` does). Against one emulator
(page size 100, two subscriptions), accounts are added with concurrent PUTs up to each size; the source uses
keyed_groups by location, SKU and tags, as people do. For each size, median of --rounds runs:
  cold     ansible-inventory --list that lists every page from the emulator (peak RSS of the process too)
  warm     the same with a jsonfile cache hit: no request, only the plugin building hosts and groups
  listing  the emulator alone: the bench itself GETs every page (Azure's side of the cold run)
and, with the empty fleet's figures subtracted, milliseconds and kilobytes per account: flat per-account
figures mean linear growth. Nothing fails on a number.

--baseline names the collections path of another installed copy (for example one built from ``git archive main``):
each cold and warm round then runs it right after the copy under test, on the same emulator and fleet, and a second
table gives both medians and their ratio. Alternating the two keeps a noisy, shared machine from favouring either.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'integration'))
from fleet import SECOND_SUBSCRIPTION, add_resource_groups, create_accounts, fleet, write_source  # noqa: E402 pylint: disable=wrong-import-position,import-error
from harness import API_VERSION, BIN_DIR, Ansible, Emulator  # noqa: E402 pylint: disable=wrong-import-position,import-error

GROUPS = ('bench-one', 'bench-two', 'bench-three')
# Runs one command and prints the peak RSS (KiB) of its process tree's largest process and the CPU seconds (user +
# system) of the tree, from getrusage: CPU time moves far less than wall time when other jobs load the machine.
PEAK_RSS = ('import resource, subprocess, sys\n'
            'code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)\n'
            'usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n'
            'print(code, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)\n')


def measure(env, source, *args):
    """(seconds, peak RSS in KiB, CPU seconds) of one ``ansible-inventory --list``."""
    started = time.monotonic()
    command = [sys.executable, '-c', PEAK_RSS, os.path.join(BIN_DIR, 'ansible-inventory'), '-i', source, '--list'] + list(args)
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout.split()
    seconds = time.monotonic() - started
    if output[0] != '0':
        raise RuntimeError('ansible-inventory failed')
    return seconds, int(output[1]), float(output[2])


def time_listing(emulator, subscriptions):
    """Seconds for the bench itself to GET every page of every subscription's account list."""
    started = time.monotonic()
    for subscription in subscriptions:
        url = '%s/subscriptions/%s/providers/Microsoft.MachineLearningModelManagement/accounts' % (emulator.url, subscription)
        while url:
            body = emulator.http.get(url, params=None if '?' in url else {'api-version': API_VERSION},
                                     headers={'Authorization': 'Bearer ' + emulator.token()}, timeout=120).json()
            url = body.get('nextLink')
    return time.monotonic() - started


def order(envs, index):
    """The copies to run in round ``index``: one after the other, who goes first alternating, so both meet the same load."""
    names = sorted(envs)
    return names if index % 2 == 0 else names[::-1]


def print_comparison(size, runs):
    """Medians of the copy under test and the baseline, and their ratio."""
    print('\n%d accounts, median of %d alternating rounds: current, baseline, difference' % (size, len(runs['current']['cold'])))
    rows = (('cold s', lambda r: statistics.median(x[0] for x in r['cold'])),
            ('cold CPU s', lambda r: statistics.median(x[2] for x in r['cold'])),
            ('warm s', lambda r: statistics.median(x[0] for x in r['warm'])),
            ('warm CPU s', lambda r: statistics.median(x[2] for x in r['warm'])),
            ('peak MiB', lambda r: statistics.median(x[1] for x in r['cold']) / 1024.0))
    for label, figure in rows:
        current, baseline = figure(runs['current']), figure(runs['baseline'])
        print('%10s %8.2f %8.2f  %+5.1f%%' % (label, current, baseline, 100.0 * (current - baseline) / baseline))
    print('%10s %s' % ('cold runs', ' '.join('%.2f/%.2f' % (c[0], b[0]) for c, b in zip(runs['current']['cold'], runs['baseline']['cold']))))
    print('%10s %s' % ('cold CPU', ' '.join('%.2f/%.2f' % (c[2], b[2]) for c, b in zip(runs['current']['cold'], runs['baseline']['cold']))))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--sizes', default='100,1000,10000')
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--baseline', help='ANSIBLE_COLLECTIONS_PATH of a copy to compare with, round by round')
    options = parser.parse_args()
    sizes = sorted(int(size) for size in options.sizes.split(','))
    work = tempfile.mkdtemp(prefix='inventory-bench-')
    os.mkdir(os.path.join(work, 'emulator'))
    emulator = Emulator(os.path.join(work, 'emulator'), ['--in-memory', '--subscription', SECOND_SUBSCRIPTION])
    try:
        subscriptions = (emulator.subscription, SECOND_SUBSCRIPTION)
        add_resource_groups(emulator, subscriptions, GROUPS)
        env = Ansible(emulator, work).environment()
        envs = {'current': env}
        if options.baseline:
            envs['baseline'] = dict(env, ANSIBLE_COLLECTIONS_PATH=options.baseline)
        compared = []
        source_options = {
            'subscriptions': list(subscriptions),
            'keyed_groups': [{'key': 'azureml_account.location', 'prefix': 'location'},
                             {'key': 'azureml_account.sku.name', 'prefix': 'sku'},
                             {'key': 'azureml_account.tags', 'prefix': 'tag'}],
        }
        source = write_source(work, source_options)
        cached = write_source(work, dict(source_options, cache=True, cache_plugin='ansible.builtin.jsonfile',
                                         cache_connection=os.path.join(work, 'cache')), name='cached.azureml_accounts.yml')
        specs = fleet(sizes[-1], subscriptions, GROUPS)
        rows, created = [], 0
        for size in [0] + sizes:
            started = time.monotonic()
            create_accounts(emulator, specs[created:size])
            setup = time.monotonic() - started
            created = size
            runs = dict((name, {'cold': [], 'warm': []}) for name in envs)
            for index in range(options.rounds):
                for name in order(envs, index):
                    runs[name]['cold'].append(measure(envs[name], source))
            for name in envs:  # each copy its own cache file (prefix): the entries of two versions need not match
                runs[name]['cached_env'] = dict(envs[name], ANSIBLE_CACHE_PLUGIN_PREFIX=name)
                measure(runs[name]['cached_env'], cached, '--flush-cache')  # lists again and fills the cache for this size
            for index in range(options.rounds):
                for name in order(envs, index):
                    runs[name]['warm'].append(measure(runs[name]['cached_env'], cached))
            cold, warm = runs['current']['cold'], runs['current']['warm']
            if options.baseline and size:
                compared.append((size, runs))
            listing = [time_listing(emulator, subscriptions) for _round in range(options.rounds)]
            rows.append((size, statistics.median(r[0] for r in cold), max(r[1] for r in cold), statistics.median(r[0] for r in warm),
                         statistics.median(listing), setup))
        base = rows[0]
        print('ansible-inventory --list, median of %d rounds; empty fleet: cold %.2f s, warm %.2f s, peak %.0f MiB'
              % (options.rounds, base[1], base[3], base[2] / 1024.0))
        print('%8s %8s %8s %8s %8s | %12s %12s %12s %12s | %7s' % (
            'accounts', 'cold s', 'warm s', 'list s', 'peak MiB', 'cold ms/acct', 'warm ms/acct', 'list ms/acct',
            'KiB/acct', 'setup s'))
        for size, cold_s, rss, warm_s, list_s, setup in rows[1:]:
            print('%8d %8.2f %8.2f %8.2f %8.1f | %12.3f %12.3f %12.3f %12.2f | %7.1f' % (
                size, cold_s, warm_s, list_s, rss / 1024.0, 1000.0 * (cold_s - base[1]) / size,
                1000.0 * (warm_s - base[3]) / size, 1000.0 * (list_s - base[4]) / size, float(rss - base[2]) / size, setup))
        for size, runs in compared:
            print_comparison(size, runs)
    finally:
        emulator.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
