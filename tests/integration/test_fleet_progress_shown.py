"""Progress of a long fleet run: the fleet module's action plugin shows counts done / to do and throttling pauses while
the module runs, in ansible-playbook's output and as ansible-runner job events (AWX), in check mode and with --diff;
it leads with the plan's counts, leaves no file behind and shows no secret. The emulator's throttling is on with a
small write bucket, so that a few creates take seconds; AZUREML_FLEET_PROGRESS_INTERVAL shortens the interval."""
import json
import os
import re
import shutil
import tempfile

from awx import inventory_update, job_environment, private_data_dir, run_job, write_project  # pylint: disable=import-error

CREATES = 16
LINE = re.compile(r'fleet run: (checking|writing), (\d+) of (\d+) done, (\d+) to do \((\d+) s\)')


def declared(count, prefix='p'):
    return [{'name': '%s-%02d' % (prefix, index), 'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}}
            for index in range(count)]


def fleet_play(tmp_path, accounts, **options):
    play = [{'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
             'vars': {'ansible_python_interpreter': '{{ ansible_playbook_python }}'},
             'tasks': [dict({'name': 'The fleet', 'azureml.model_management.accounts': {
                 'resource_group': 'it-rg', 'concurrency': 2, 'accounts': accounts}}, **options)]}]
    path = tmp_path / 'fleet.yml'
    path.write_text(json.dumps(play))
    return str(path)


def progress_counts(text):
    """(done, to do) of every progress line, in order."""
    return [(int(done), int(left)) for _verb, done, _todo, left, _s in LINE.findall(text)]


def left_behind(folder):
    return [name for name in os.listdir(folder) if name.startswith('azureml-fleet-')]


def throttled_writes(emulator):
    emulator.configure(throttling=True, throttling_writes={'size': 4, 'rate': 2})


def test_a_long_apply_shows_its_progress_as_it_goes(ansible, emulator, tmp_path):
    throttled_writes(emulator)
    # A short TMPDIR: ansible-core 2.21 puts a Unix socket in it ("Local RPC server did not start" when the path
    # passes the 107-byte limit, as pytest-xdist's tmp_path under popen-gwN does).
    temporary = tempfile.mkdtemp(prefix='azfp-')
    process = ansible.playbook(fleet_play(tmp_path, declared(CREATES)),
                               extra={'AZUREML_FLEET_PROGRESS_INTERVAL': '1', 'TMPDIR': temporary})
    assert process.returncode == 0, process.stdout + process.stderr
    counts = progress_counts(process.stdout)
    assert len(counts) >= 3 and counts == sorted(counts, key=lambda c: c[0]), process.stdout  # done only grows
    assert all(done + left == CREATES for done, left in counts) and counts[0][0] < CREATES, counts
    assert 'throttled by Resource Manager' in process.stdout, process.stdout  # the 429s of the small bucket are said
    headline = 'Done for subscription %s: %d added, 0 changed, 0 destroyed' % (emulator.subscription, CREATES)
    assert process.stdout.index(headline) < process.stdout.index('changed: [localhost]'), process.stdout
    assert emulator.env['AZURE_SECRET'] not in process.stdout + process.stderr
    assert left_behind(temporary) == []
    shutil.rmtree(temporary, ignore_errors=True)
    assert sorted(e['status'] for e in emulator.journal() if e['method'] == 'PUT' and e['status'] != 429) == [201] * CREATES


def test_check_mode_with_diff_shows_progress_and_leads_with_the_counts(ansible, emulator, tmp_path):
    """A slow list answer (5 s) stands for a large fleet: the plan is still shown progressing, counts first."""
    emulator.put_account('p-00', 'it-rg')
    emulator.clear_journal()
    emulator.fault(method='GET', path='/resourceGroups/it-rg/providers/Microsoft.MachineLearningModelManagement/accounts$',
                   delay=5, count=1)
    process = ansible.playbook(fleet_play(tmp_path, declared(3)), '--check', '--diff',
                               extra={'AZUREML_FLEET_PROGRESS_INTERVAL': '1'})
    assert process.returncode == 0, process.stdout + process.stderr
    assert 'fleet run: listing 1 resource group(s)' in process.stdout, process.stdout
    headline = 'Plan for subscription %s: 2 to add, 0 to change, 0 to destroy (check mode: nothing was written)' % emulator.subscription
    assert process.stdout.index(headline) < process.stdout.index('--- before'), process.stdout
    assert [e['method'] for e in emulator.journal()] == ['GET']


def test_without_progress_where_the_module_does_not_run_here(ansible, emulator, tmp_path):
    """async (or another connection, or become): the module runs as Ansible runs it, with the same result."""
    process = ansible.playbook(fleet_play(tmp_path, declared(2), **{'async': 120, 'poll': 1}),
                               extra={'AZUREML_FLEET_PROGRESS_INTERVAL': '0.2'})
    assert process.returncode == 0, process.stdout + process.stderr
    assert 'fleet run:' not in process.stdout and 'changed: [localhost]' in process.stdout
    assert emulator.get_account('p-01') is not None


def test_progress_lines_are_job_events_under_ansible_runner(ansible, emulator, tmp_path):
    """AWX: the per-host role's run of many creates shows as verbose job events, counts growing, no secret."""
    throttled_writes(emulator)
    emulator.put_account('host-one', 'it-rg')
    role_vars = {'accounts_resource_group': 'it-rg', 'accounts_concurrency': 2,
                 'accounts_list': [{'name': 'host-one'}] + declared(CREATES - 4)}
    project = write_project(str(tmp_path / 'project'), {'resource_groups': ['it-rg']}, role_vars)
    env = dict(job_environment(ansible), AZUREML_FLEET_PROGRESS_INTERVAL='1')
    job = run_job(private_data_dir(str(tmp_path / 'job'), project, inventory_update(env, project)), env)
    assert (job.status, job.rc) == ('successful', 0), job.stdout
    lines = job.verbose_lines()
    counts = progress_counts('\n'.join(lines))
    assert len(counts) >= 2 and counts[-1][0] > counts[0][0], lines
    assert any(line.startswith('Done for subscription') for line in lines), lines
    events = json.dumps(job.events)
    assert emulator.env['AZURE_SECRET'] not in events and emulator.env['AZURE_SECRET'] not in job.stdout
