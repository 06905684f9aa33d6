"""The role per host as AWX runs it (tests/integration/awx.py): the recipe's project, an inventory update by
``ansible-inventory --list --export``, the credential as environment variables, check job then run job, job slices
at once, with Resource Manager's throttling on in the emulator. Asserted on runner's job events per host (what AWX's
host list, host summaries and job events show) and on the emulator's journal."""
import json

import pytest

from awx import (  # pylint: disable=import-error
    hosts_of, inventory_update, job_environment, private_data_dir, run_job, run_jobs_at_once, slice_of, write_project)
from plays import ROLE_VARS, arrange_scope, writes  # pylint: disable=import-error

SOURCE = {'resource_groups': ['it-rg', 'demo-rg']}
HOSTS = ['elsewhere@demo-rg', 'hand-made@it-rg', 'keep-me@it-rg', 'stale@it-rg']
WRITTEN_HOSTS = {'keep-me@it-rg': 1, 'stale@it-rg': 1}  # keep-me is updated, stale purged; new-one is no host


@pytest.fixture
def awx(ansible, emulator, tmp_path):
    """The emulator with throttling on and the scope arranged; the project, the job environment, the imported inventory."""
    emulator.configure(throttling=True)
    arrange_scope(emulator)
    project = write_project(str(tmp_path / 'project'), SOURCE, ROLE_VARS)
    env = job_environment(ansible)
    imported = inventory_update(env, project)
    emulator.clear_journal()
    return project, env, imported


def per_host_results(job):
    """{host: (event, changed, res)} of the per-host result task (the one task every host runs with a result)."""
    found = {}
    for host, task, event, res in job.host_events():
        if 'This host' in (task or ''):
            assert host not in found, (host, task)
            found[host] = (event, bool(res.get('changed')), res)
    return found


def test_check_job_then_run_job_each_host_carries_its_own_result(awx, emulator, tmp_path):
    project, env, imported = awx
    assert hosts_of(imported) == HOSTS
    assert imported['azureml_accounts']['hosts'] and 'vars' not in imported['azureml_accounts']  # vars beside the playbook

    check = run_job(private_data_dir(str(tmp_path / 'check'), project, imported), env, check=True, diff=True)
    assert (check.status, check.rc) == ('successful', 0), check.stdout
    assert check.stats('changed') == WRITTEN_HOSTS, check.stdout  # the recap per host, in check mode too
    results = per_host_results(check)
    assert sorted(results) == HOSTS
    assert [(host, results[host][:2]) for host in HOSTS] == [
        ('elsewhere@demo-rg', ('runner_on_ok', False)), ('hand-made@it-rg', ('runner_on_ok', False)),
        ('keep-me@it-rg', ('runner_on_ok', True)), ('stale@it-rg', ('runner_on_ok', True))]
    keep_me = results['keep-me@it-rg'][2]
    assert keep_me['action'] == 'update' and keep_me['diff']['before']['sku'] == {'name': 'S1', 'capacity': 1}
    assert keep_me['diff']['after']['sku'] == {'name': 'S2', 'capacity': 2}
    assert results['stale@it-rg'][2]['action'] == 'purge' and results['stale@it-rg'][2]['diff']['after'] == {}
    assert writes(emulator) == []

    run = run_job(private_data_dir(str(tmp_path / 'run'), project, imported), env)
    assert (run.status, run.rc) == ('successful', 0), run.stdout
    assert run.stats('changed') == WRITTEN_HOSTS
    assert sorted(writes(emulator)) == [('DELETE', 'it-rg/stale'), ('PATCH', 'it-rg/keep-me'), ('PUT', 'it-rg/new-one')]
    # the account no host stands for (created: it joins the inventory at its next update) is said in an event of its own
    unhosted = [res for _host, task, _event, res in run.host_events() if 'no host' in (task or '')]
    assert len(unhosted) == 1 and unhosted[0]['changed'] is False and 'new-one (it-rg)' in unhosted[0]['msg'], unhosted

    emulator.clear_journal()
    again = run_job(private_data_dir(str(tmp_path / 'again'), project, inventory_update(env, project)), env)
    assert (again.status, again.rc) == ('successful', 0), again.stdout
    assert again.stats('changed') == {} and writes(emulator) == []


def test_an_accounts_failure_fails_its_host_only(awx, emulator, tmp_path):
    project, env, imported = awx
    emulator.fault(method='PATCH', path='/accounts/keep-me$', status=400, count=5, body_json=True,
                   body=json.dumps({'error': {'code': 'BadRequest', 'message': 'refused by the test'}}))
    run = run_job(private_data_dir(str(tmp_path / 'run'), project, imported), env)
    assert (run.status, run.rc) == ('failed', 2), run.stdout
    assert run.stats('failures') == {'keep-me@it-rg': 1}
    assert run.stats('changed') == {'stale@it-rg': 1}
    event, changed, res = per_host_results(run)['keep-me@it-rg']
    assert event == 'runner_on_failed' and not changed and 'refused by the test' in res['msg'], res
    assert sorted(writes(emulator)) == [('DELETE', 'it-rg/stale'), ('PATCH', 'it-rg/keep-me'), ('PUT', 'it-rg/new-one')]


def test_job_slices_at_once_under_one_credential(awx, emulator, tmp_path):
    """Two slices in parallel, check then run: each host's result in its own slice, the recap of both is the truth."""
    project, env, imported = awx
    for check in (True, False):
        folders = [private_data_dir(str(tmp_path / ('%s%d' % ('check' if check else 'run', index))), project, slice_of(imported, index, 2))
                   for index in range(2)]
        jobs = run_jobs_at_once(folders, env, check=check)
        assert [(job.status, job.rc) for job in jobs] == [('successful', 0)] * 2, [job.stdout for job in jobs]
        changed = {}
        for index, job in enumerate(jobs):
            assert sorted(per_host_results(job)) == HOSTS[index::2]
            changed.update(job.stats('changed'))
        assert changed == WRITTEN_HOSTS
    assert sorted(set(writes(emulator))) == [('DELETE', 'it-rg/stale'), ('PATCH', 'it-rg/keep-me'), ('PUT', 'it-rg/new-one')]
    assert emulator.get_account('new-one') is not None


def test_the_variables_where_no_job_reads_them_fail_the_job_naming_accounts_list(ansible, emulator, tmp_path):
    """group_vars/ at the project root is read neither by the inventory update nor by the job: the job must not plan
    zeros and succeed."""
    emulator.configure(throttling=True)
    arrange_scope(emulator)
    project = write_project(str(tmp_path / 'project'), SOURCE, ROLE_VARS, group_vars_dir='group_vars')
    env = job_environment(ansible)
    imported = inventory_update(env, project)
    emulator.clear_journal()
    run = run_job(private_data_dir(str(tmp_path / 'run'), project, imported), env, check=True)
    assert (run.status, run.rc) == ('failed', 2), run.stdout
    failed = [res for _host, _task, event, res in run.host_events() if event == 'runner_on_failed']
    assert failed and all('accounts_list' in res.get('msg', '') for res in failed), failed
    assert emulator.journal() == []  # refused before any request


def test_the_roles_variables_are_checked_once_per_job_not_once_per_host(ansible, emulator, tmp_path):
    """tasks_from: hosts checks the role's argument spec once (run_once), with the same rules as the role's main."""
    emulator.configure(throttling=True)
    arrange_scope(emulator)
    project = write_project(str(tmp_path / 'project'), SOURCE, dict(ROLE_VARS, accounts_wait='maybe'))
    env = job_environment(ansible)
    imported = inventory_update(env, project)
    emulator.clear_journal()
    run = run_job(private_data_dir(str(tmp_path / 'run'), project, imported), env, check=True)
    assert (run.status, run.rc) == ('failed', 2), run.stdout
    checks = [(host, event) for host, task, event, _res in run.host_events() if 'Check the role' in (task or '')]
    assert len(checks) == 1 and checks[0][1] == 'runner_on_failed', checks
    assert "accounts_wait" in run.stdout and emulator.journal() == []
