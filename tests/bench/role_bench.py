"""Benchmark of the role azureml.model_management.accounts per host against the same role on localhost (issue 21).

    python tests/bench/role_bench.py [--hosts 1000] [--rounds 3] [--previous REV] [--previous-hosts N]

One emulator, ``--hosts`` accounts in one resource group, declared in the role's ``accounts_list`` (1 in 100 asks for
another capacity), given as extra variables as an AWX job template gives its variables (a ``vars_files`` entry would
be read again for every host and task: ansible-core caches only vaulted ones). The inventory is imported once as AWX
does (``ansible-inventory --list --export``, given to the plays as an inventory script, so listing it costs no
request during the runs). Then, in check mode, taking turns
(who goes first alternates each round):
  - **localhost**: ``hosts: localhost``, the role plans all the accounts (one fleet task);
  - **per host**: ``hosts: azureml_accounts``, the same role over one host per account (the fleet task once, then
    each host's own result), imported with ``tasks_from: hosts`` as docs/fleets.md shows it; with
    ``--roles-per-host`` also through ``roles:``, where Ansible checks the role's arguments on every host.
Both plays get the same inventory. Reported: median wall time and CPU seconds (user + system of ansible-playbook and
its children) per case, and the ratio per host / localhost (the issue's target: within 2x at 1,000 hosts).
``--previous REV`` runs the same two plays with the collection as it was at git revision REV (``git archive``) at
``--previous-hosts`` hosts (default: ``--hosts``; before issue 21 the per-host role validated the whole list once per
host, so keep it small). Nothing here is a test; the machine's load moves every figure, ratios move less.
"""
import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path[:0] = [HERE, os.path.join(TESTS, 'integration')]
from bench import previous_collection  # noqa: E402 pylint: disable=wrong-import-position,import-error
from awx import inventory_script  # noqa: E402 pylint: disable=wrong-import-position,import-error
from fleet import add_resource_groups, create_accounts, inventory_list, write_source  # noqa: E402 pylint: disable=wrong-import-position,import-error
from harness import BIN_DIR, Ansible, Emulator  # noqa: E402 pylint: disable=wrong-import-position,import-error

GROUP = 'bench-rg'
LABELS = {'localhost': 'localhost', 'hosts': 'per host', 'roles': 'per host (roles:)'}
TAGS = {'managed-by': 'bench'}


def declared(count):
    return [{'name': 'acct-%05d' % index, 'location': 'eastus', 'tags': dict(TAGS),
             'sku': {'name': 'S1', 'capacity': 2 if index % 100 == 0 else 1}} for index in range(count)]


def arrange(emulator, work, count):
    """Seed ``count`` accounts; return (inventory script, vars file) for that many hosts."""
    add_resource_groups(emulator, [emulator.subscription], [GROUP])
    create_accounts(emulator, [dict(entry, subscription=emulator.subscription, resource_group=GROUP, sku={'name': 'S1', 'capacity': 1})
                               for entry in declared(count)])
    env = Ansible(emulator, work).environment()
    imported = inventory_list(env, write_source(work, {'resource_groups': [GROUP]}), '--export')
    assert len(imported['_meta']['hostvars']) == count, len(imported['_meta']['hostvars'])
    hosts = inventory_script(os.path.join(work, 'hosts-%d' % count), imported)
    variables = os.path.join(work, 'vars-%d.json' % count)
    with open(variables, 'w', encoding='utf-8') as handle:
        json.dump({'accounts_resource_group': GROUP, 'accounts_list': declared(count)}, handle)
    return hosts, variables


def play(work, name, style):
    """``style``: ``localhost`` (``roles:``), ``hosts`` (per host, ``import_role`` with ``tasks_from: hosts``, as
    docs/fleets.md shows it) or ``roles`` (per host, ``roles:``: Ansible checks the role's arguments on every host)."""
    path = os.path.join(work, '%s.yml' % name)
    body = {'hosts': 'localhost' if style == 'localhost' else 'azureml_accounts', 'connection': 'local', 'gather_facts': False,
            'vars': {'ansible_python_interpreter': sys.executable}}
    if style == 'hosts':
        body['tasks'] = [{'ansible.builtin.import_role': {'name': 'azureml.model_management.accounts', 'tasks_from': 'hosts'}}]
    else:
        body['roles'] = [{'role': 'azureml.model_management.accounts'}]
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump([body], handle)
    return path


def run(ansible, path, inventory, env):
    """(wall seconds, CPU seconds of the process tree, the summary's first line). ``inventory``: the inventory script
    and the role's variables, given as extra variables (as an AWX job template's variables are)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    hosts, variables = inventory
    process = subprocess.run([os.path.join(BIN_DIR, 'ansible-playbook'), path, '-i', hosts, '-e', '@' + variables, '--check'],
                             env=ansible.environment(extra=env), capture_output=True, text=True, timeout=7200, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        sys.exit('the play failed:\n%s\n%s' % (process.stdout[-4000:], process.stderr[-2000:]))
    heads = [line.strip().strip('",') for line in process.stdout.splitlines() if 'Plan for subscription' in line]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, heads[-1] if heads else '(no summary line)'


def measure(ansible, cases, rounds):
    """{case: [(wall, cpu, head)]}, taking turns, the first case alternating."""
    found = dict((name, []) for name in cases)
    names = list(cases)
    for index in range(rounds):
        for name in (names if index % 2 == 0 else list(reversed(names))):
            path, inventory, env = cases[name]
            found[name].append(run(ansible, path, inventory, env))
            print('  round %d %-26s %7.2f s wall %7.2f s CPU' % (index + 1, name, found[name][-1][0], found[name][-1][1]), flush=True)
    return found


def report(found, pairs):
    print('\n| case | hosts | median wall s | median CPU s | plan |\n| --- | ---: | ---: | ---: | --- |')
    medians = {}
    for name, runs in found.items():
        medians[name] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        print('| %s | %s | %.2f | %.2f | %s |' % (name, name.split('@')[-1], medians[name][0], medians[name][1], runs[-1][2][:60]))
    print()
    for per_host, localhost in pairs:
        wall, cpu = (medians[per_host][index] / medians[localhost][index] for index in (0, 1))
        print('per host / localhost (%s): wall %.2fx, CPU %.2fx' % (per_host, wall, cpu))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--hosts', type=int, default=1000)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--previous', help='also the collection as it was at this git revision')
    parser.add_argument('--previous-hosts', type=int)
    parser.add_argument('--roles-per-host', action='store_true', help='also per host with roles: (its checks on every host)')
    options = parser.parse_args()
    work = tempfile.mkdtemp(prefix='role-bench-')
    os.makedirs(os.path.join(work, 'emulator'))
    emulator = Emulator(os.path.join(work, 'emulator'))
    try:
        ansible = Ansible(emulator, work)
        counts = sorted({options.hosts, options.previous_hosts or options.hosts}) if options.previous else [options.hosts]
        arranged = {}
        for count in counts:  # the largest fleet includes the smaller: acct-00000 .. acct-<count - 1>
            arranged[count] = arrange(emulator, work, count)
        cases, pairs = {}, []
        runs = [('now', options.hosts, {}, ('localhost', 'hosts') + (('roles',) if options.roles_per_host else ()))]
        if options.previous:  # before issue 21 the role had no ``hosts`` tasks
            runs.append(('previous', options.previous_hosts or options.hosts,
                         {'ANSIBLE_COLLECTIONS_PATH': previous_collection(os.path.dirname(TESTS), options.previous, work)},
                         ('localhost', 'roles')))
        for label, count, env, styles in runs:
            for style in styles:
                name = '%s %s@%d' % (LABELS[style], label, count)
                cases[name] = (play(work, re.sub(r'\W+', '_', name), style), arranged[count], env)
                if style != 'localhost':
                    pairs.append((name, '%s %s@%d' % (LABELS['localhost'], label, count)))
        print('load average before: %.1f %.1f %.1f' % os.getloadavg())
        found = measure(ansible, cases, options.rounds)
        print('load average after: %.1f %.1f %.1f' % os.getloadavg())
        report(found, pairs)
    finally:
        emulator.stop()


if __name__ == '__main__':
    main()
