"""Benchmark: what one task of this collection costs, as a ratio to Ansible's own floor.

    make bench          (or: python tests/bench/bench.py [--rounds N])

Each round runs, ad hoc on localhost against a fresh emulator:
  baseline   ansible.builtin.ping — starting Ansible and a module, no Azure work at all
  info       account_info for one account: metadata + token + 1 GET
  unchanged  account, present and unchanged: metadata + token + 1 GET
  check      account --check --diff of a sku/tag change: metadata + token + 1 GET
  update     account applying a change: metadata + token + GET + PATCH
Medians are printed with their ratio to the baseline measured in the same run. Nothing here is a test and
no number here fails anything: the machine's load moves every figure, the ratios much less.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'integration'))
from harness import Ansible, Emulator  # noqa: E402 pylint: disable=wrong-import-position,import-error


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--rounds', type=int, default=5)
    options = parser.parse_args()

    work = tempfile.mkdtemp(prefix='azureml-bench-')
    os.makedirs(os.path.join(work, 'emulator'))
    emulator = Emulator(os.path.join(work, 'emulator'))
    try:
        ansible = Ansible(emulator, work)
        emulator.configure(retry_after=0)
        base = {'name': 'bench', 'resource_group': 'it-rg'}
        present = dict(base, location='eastus', sku={'name': 'S1', 'capacity': 1}, tags={'a': '1'})
        ansible.module('account', present)
        cases = {
            'baseline': lambda: ansible.module('ansible.builtin.ping', {}),
            'info': lambda: ansible.module('account_info', base),
            'unchanged': lambda: ansible.module('account', present),
            'check': lambda: ansible.module('account', dict(present, sku={'name': 'S2', 'capacity': 2}), check=True, diff=True),
            'update': lambda: ansible.module('account', dict(present, tags={'round': str(time.time())})),
        }
        samples = {name: [] for name in cases}
        for _round in range(options.rounds):
            for name, case in cases.items():  # interleaved, so drift hits every case alike
                seconds, result = timed(case)
                if result.get('failed'):
                    sys.exit('%s failed: %s' % (name, result.get('msg')))
                samples[name].append(seconds)
        floor = statistics.median(samples['baseline'])
        print('%-10s %10s %8s   (%d rounds)' % ('case', 'median s', 'ratio', options.rounds))
        for name, values in samples.items():
            median = statistics.median(values)
            print('%-10s %10.3f %8.2f' % (name, median, median / floor))
    finally:
        emulator.stop()


if __name__ == '__main__':
    main()
