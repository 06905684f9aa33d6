"""Benchmark (not a test): ``ansible-inventory --list`` with the accounts inventory plugin at growing fleet sizes.

    python tests/bench/inventory_bench.py [--sizes 100,1000,10000] [--rounds 3]

Run from the installed collection (ANSIBLE_COLLECTIONS_PATH set, as ``make bench`` does). Against one emulator
(page size 100, two subscriptions), accounts are added with concurrent PUTs up to each size; the source uses
keyed_groups by location, SKU and tags, as people do. For each size: the median wall time of --rounds runs, the
peak RSS of the ansible-inventory process, and, with the empty fleet's figures subtracted, milliseconds and
kilobytes per account: flat per-account figures mean linear growth. Nothing fails on a number.
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
from harness import BIN_DIR, Ansible, Emulator  # noqa: E402 pylint: disable=wrong-import-position,import-error

GROUPS = ('bench-one', 'bench-two', 'bench-three')
# Runs one command and prints the peak RSS (KiB) of its process tree's largest process, from getrusage.
PEAK_RSS = ('import resource, subprocess, sys\n'
            'code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)\n'
            'print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n')


def measure(env, source):
    """(seconds, peak RSS in KiB) of one ``ansible-inventory --list``."""
    started = time.monotonic()
    output = subprocess.run([sys.executable, '-c', PEAK_RSS, os.path.join(BIN_DIR, 'ansible-inventory'), '-i', source, '--list'],
                            env=env, capture_output=True, text=True, check=True).stdout.split()
    seconds = time.monotonic() - started
    if output[0] != '0':
        raise RuntimeError('ansible-inventory failed')
    return seconds, int(output[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--sizes', default='100,1000,10000')
    parser.add_argument('--rounds', type=int, default=3)
    options = parser.parse_args()
    sizes = sorted(int(size) for size in options.sizes.split(','))
    work = tempfile.mkdtemp(prefix='inventory-bench-')
    os.mkdir(os.path.join(work, 'emulator'))
    emulator = Emulator(os.path.join(work, 'emulator'), ['--in-memory', '--subscription', SECOND_SUBSCRIPTION])
    try:
        subscriptions = (emulator.subscription, SECOND_SUBSCRIPTION)
        add_resource_groups(emulator, subscriptions, GROUPS)
        env = Ansible(emulator, work).environment()
        source = write_source(work, {
            'subscriptions': list(subscriptions),
            'keyed_groups': [{'key': 'azureml_account.location', 'prefix': 'location'},
                             {'key': 'azureml_account.sku.name', 'prefix': 'sku'},
                             {'key': 'azureml_account.tags', 'prefix': 'tag'}],
        })
        specs = fleet(sizes[-1], subscriptions, GROUPS)
        rows, created = [], 0
        for size in [0] + sizes:
            started = time.monotonic()
            create_accounts(emulator, specs[created:size])
            setup = time.monotonic() - started
            created = size
            runs = [measure(env, source) for _round in range(options.rounds)]
            rows.append((size, statistics.median(r[0] for r in runs), max(r[1] for r in runs), setup))
        base_seconds, base_rss = rows[0][1], rows[0][2]
        print('ansible-inventory --list, %d rounds (median time, peak RSS); empty fleet: %.2f s, %.0f MiB'
              % (options.rounds, base_seconds, base_rss / 1024.0))
        print('%8s %10s %10s %14s %14s %12s' % ('accounts', 'seconds', 'peak MiB', 'ms/account', 'KiB/account', 'setup s'))
        for size, seconds, rss, setup in rows[1:]:
            print('%8d %10.2f %10.1f %14.3f %14.2f %12.1f' % (size, seconds, rss / 1024.0, 1000.0 * (seconds - base_seconds) / size,
                                                             float(rss - base_rss) / size, setup))
    finally:
        emulator.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
