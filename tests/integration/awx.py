"""AWX's way of running a project, reproduced with ansible-runner (the engine AWX runs jobs with).

- **Project**: a directory laid out as docs/fleets.md's AWX recipe says (``inventories/``, ``playbooks/`` with its
  ``group_vars/``), checked out as is; the collection comes from the execution environment (here
  ``ANSIBLE_COLLECTIONS_PATH``, as the Makefile sets it).
- **Credential**: AWX's *Microsoft Azure Resource Manager* credential injects environment variables only
  (``AZURE_SUBSCRIPTION_ID``, ``AZURE_CLIENT_ID``, ``AZURE_SECRET``, ``AZURE_TENANT``, ``AZURE_CLOUD_ENVIRONMENT``).
- **Inventory update** (*Sourced from a Project*): ``ansible-inventory -i <source> --list --export`` with the
  credential; AWX imports the JSON (hosts, their variables, groups and group variables) and later gives each job an
  inventory script in the job's private data directory that prints it back.
- **Job slicing**: slice ``i`` of ``n`` is its own job with every ``n``-th host of the inventory from the ``i``-th on;
  slices run at once, each in its own private data directory.
- **Job events**: what AWX stores and shows (host list, host summaries) are runner's events: ``runner_on_ok`` /
  ``runner_on_failed`` per host and task, ``verbose`` for displayed lines, ``playbook_on_stats`` for the recap.
"""
import json
import os
import shutil
import subprocess
import sys
import threading

import ansible_runner

from harness import BIN_DIR  # pylint: disable=import-error

PLUGIN = 'azureml.model_management.accounts'
CREDENTIAL_ENV = ('AZURE_SUBSCRIPTION_ID', 'AZURE_CLIENT_ID', 'AZURE_SECRET', 'AZURE_TENANT', 'AZURE_CLOUD_ENVIRONMENT')
PLAYBOOK = [{'hosts': 'azureml_accounts', 'connection': 'local', 'gather_facts': False,
             'vars': {'ansible_python_interpreter': '{{ ansible_playbook_python }}'},
             'tasks': [{'name': 'Reconcile the accounts of the play\'s hosts', 'ansible.builtin.import_role': {
                 'name': 'azureml.model_management.accounts', 'tasks_from': 'hosts'}}]}]  # docs/fleets.md's per-host play


def write_project(root, source_options, group_vars, group_vars_dir='playbooks/group_vars'):
    """The recipe's project: the inventory source, the per-host playbook, the role's variables in ``group_vars_dir``."""
    for folder in ('inventories', 'playbooks', group_vars_dir):
        os.makedirs(os.path.join(root, folder), exist_ok=True)
    with open(os.path.join(root, 'inventories', 'prod.azureml_accounts.yml'), 'w', encoding='utf-8') as handle:
        json.dump(dict({'plugin': PLUGIN}, **source_options), handle)
    with open(os.path.join(root, 'playbooks', 'fleet.yml'), 'w', encoding='utf-8') as handle:
        json.dump(PLAYBOOK, handle)
    with open(os.path.join(root, group_vars_dir, 'azureml_accounts.yml'), 'w', encoding='utf-8') as handle:
        json.dump(group_vars, handle)
    return root


def job_environment(ansible):
    """The environment of a job: the controller's (the EE), plus what the credential injects."""
    env = ansible.environment(drop_auth=True)
    env.update((name, ansible.emulator.env[name]) for name in CREDENTIAL_ENV)
    env['PATH'] = BIN_DIR + os.pathsep + env.get('PATH', '')
    return env


def inventory_update(env, project):
    """AWX's inventory update of the project's source: the JSON it imports (``--list --export``)."""
    source = os.path.join(project, 'inventories', 'prod.azureml_accounts.yml')
    command = [os.path.join(BIN_DIR, 'ansible-inventory'), '-i', source, '--list', '--export']
    process = subprocess.run(command, env=dict(env, ANSIBLE_INVENTORY_UNPARSED_FAILED='true'), capture_output=True,
                             text=True, timeout=300, check=False, cwd=project)
    assert process.returncode == 0, process.stderr
    return json.loads(process.stdout)


def hosts_of(imported):
    return sorted(imported['_meta']['hostvars'])


def slice_of(imported, index, count):
    """The inventory of slice ``index`` (0-based) of ``count``: every group and group variable, only its hosts."""
    keep = set(hosts_of(imported)[index::count])
    sliced = json.loads(json.dumps(imported))
    for name, group in sliced.items():
        if name != '_meta' and isinstance(group, dict) and 'hosts' in group:
            group['hosts'] = [host for host in group['hosts'] if host in keep]
    sliced['_meta']['hostvars'] = dict((h, v) for h, v in sliced['_meta']['hostvars'].items() if h in keep)
    return sliced


def inventory_script(path, inventory):
    """The inventory script AWX writes for a job: it prints the imported inventory back (``path``)."""
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write('#!%s\nimport sys\nsys.stdout.write(%r)\n' % (sys.executable, json.dumps(inventory)))
    os.chmod(path, 0o700)
    return path


def private_data_dir(folder, project, inventory):
    """A job's private data directory: the project checkout and the inventory script AWX writes for the job."""
    os.makedirs(os.path.join(folder, 'inventory'))
    shutil.copytree(project, os.path.join(folder, 'project'))
    inventory_script(os.path.join(folder, 'inventory', 'hosts'), inventory)
    return folder


class Job(object):
    """One finished runner job: status, rc, its events, and the per-host view AWX builds from them."""

    def __init__(self, run):
        self.status, self.rc = run.status, run.rc
        self.events = list(run.events)
        self.stdout = run.stdout.read()

    def host_events(self, task_contains=None):
        """[(host, task, event, res)] of every per-host task result."""
        found = []
        for event in self.events:
            if event.get('event') in ('runner_on_ok', 'runner_on_failed', 'runner_on_skipped'):
                data = event['event_data']
                if task_contains is None or task_contains in data.get('task', ''):
                    found.append((data.get('host'), data.get('task'), event['event'], data.get('res') or {}))
        return found

    def stats(self, kind='changed'):
        """``playbook_on_stats``'s count of ``kind`` per host (hosts at 0 left out): AWX's host summaries."""
        stats = [event['event_data'] for event in self.events if event.get('event') == 'playbook_on_stats']
        assert len(stats) == 1, self.stdout
        return dict((host, count) for host, count in (stats[0].get(kind) or {}).items() if count)

    def verbose_lines(self):
        return [event.get('stdout', '') for event in self.events if event.get('event') == 'verbose']


def run_job(folder, env, check=False, diff=False, limit=None):
    """A job template run: the recipe's playbook with the job's inventory, check or run job type."""
    options = (['--check'] if check else []) + (['--diff'] if diff else [])
    return Job(ansible_runner.run(private_data_dir=folder, playbook='playbooks/fleet.yml', envvars=env, quiet=True,
                                  cmdline=' '.join(options) or None, limit=limit))


def run_jobs_at_once(folders, env, check=False):
    """Slices in parallel (as AWX runs them on several execution nodes): [Job], in the order of ``folders``."""
    runs = [None] * len(folders)

    def start(index):
        runs[index] = run_job(folders[index], env, check=check)

    threads = [threading.Thread(target=start, args=(index,)) for index in range(len(folders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return runs
