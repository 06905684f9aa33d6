"""Many writers at once, as several AWX job templates run them: one ansible-playbook run with many forks.

(a) 50 hosts, forks 50, each creating its own account: every account exists, every task changed, none lost.
(b) 10 hosts, forks 10, each adding its own tag to ONE account with ``append_tags: true`` — with the emulator's
    etags on and off, and racing creates of an absent account: no tag lost, and every task truthful (changed
    exactly when its tag was not there before). Each run records its counts for docs/reliability.md.
"""
import pytest

from matrix import record, traceback_in  # pylint: disable=import-error

RG = 'it-rg'
PLAY = '''- hosts: writers
  gather_facts: false
  tasks:
    - name: each writer makes its change
      azureml.model_management.account:
        name: "{{{{ account_name }}}}"
        resource_group: {rg}
        location: eastus
        sku: {{name: S1, capacity: 1}}
        tags: "{{{{ {{inventory_hostname: 'v'}} }}}}"
        append_tags: true
'''


def write_inventory(tmp_path, hosts, account_name):
    """``hosts`` local hosts in group ``writers``; account_name may use ``{host}``."""
    lines = ['[writers]'] + ['%s account_name=%s' % (host, account_name.format(host=host)) for host in hosts]
    lines += ['', '[writers:vars]', 'ansible_connection=local']
    inventory = tmp_path / 'inventory.ini'
    inventory.write_text('\n'.join(lines) + '\n')
    play = tmp_path / 'writers.yml'
    play.write_text(PLAY.format(rg=RG))
    return str(inventory), str(play)


def run_writers(ansible, tmp_path, hosts, account_name):
    inventory, play = write_inventory(tmp_path, hosts, account_name)
    process, records = ansible.playbook_results(play, '-i', inventory, '--forks', str(len(hosts)))
    by_host = {entry['host']: entry for entry in records}  # ansible-core 2.21 leaves 'invocation' out of results
    crashes = [traceback_in(entry['result'], process) for entry in records]
    return process, by_host, [crash for crash in crashes if crash]


def test_fifty_accounts_with_fifty_forks(ansible, emulator, tmp_path):
    hosts = ['c%02d' % index for index in range(50)]
    process, by_host, crashes = run_writers(ansible, tmp_path, hosts, 'mma-fork-{host}')
    existing = {host: emulator.get_account('mma-fork-' + host) for host in hosts}
    lost = sorted(host for host, account in existing.items() if account is None)
    failed = sorted(host for host, entry in by_host.items() if entry['status'] == 'failed')
    unchanged = sorted(host for host, entry in by_host.items() if entry['status'] == 'ok' and not entry['result'].get('changed'))
    tags_lost = sorted(host for host, account in existing.items() if account and (account.get('tags') or {}).get(host) != 'v')
    puts = sum(1 for entry in emulator.journal() if entry['method'] == 'PUT')  # a retried PUT (timeout under load) is fair
    record('concurrency', 'fifty-accounts', run='50 distinct accounts, forks 50', writers=len(hosts),
           results=len(by_host), created=len(hosts) - len(lost), changed=len(by_host) - len(failed) - len(unchanged),
           failed=len(failed), writes_lost=len(lost), tags_lost=len(tags_lost), untruthful=len(unchanged), crashes=len(crashes), puts=puts)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert not crashes and len(by_host) == 50
    assert lost == [] and failed == [] and unchanged == [] and tags_lost == []


@pytest.mark.parametrize('scenario', ['etags on', 'etags off', 'racing creates, etags on', 'racing creates, etags off'])
def test_ten_writers_on_one_account_lose_no_tag(ansible, emulator, tmp_path, scenario):
    emulator.configure(etags='etags on' in scenario)
    hosts = ['w%d' % index for index in range(10)]
    already = set()
    if not scenario.startswith('racing'):
        # Two writers' tags are already there: those two must report changed: false.
        already = {'w0', 'w1'}
        emulator.put_account('mma-shared', tags=dict({'base': 'kept'}, **{host: 'v' for host in already}))
    process, by_host, crashes = run_writers(ansible, tmp_path, hosts, 'mma-shared')

    account = emulator.get_account('mma-shared') or {}
    tags = account.get('tags') or {}
    expected = {host: 'v' for host in hosts}
    if already:
        expected['base'] = 'kept'
    lost = sorted(name for name, value in expected.items() if tags.get(name) != value)
    untruthful = sorted(host for host, entry in by_host.items()
                        if entry['status'] != 'ok' or bool(entry['result'].get('changed')) != (host not in already))
    record('concurrency', 'ten-writers|' + scenario, run='10 writers on one account, ' + scenario, writers=len(hosts),
           results=len(by_host), changed=sum(1 for entry in by_host.values() if entry['result'].get('changed')),
           failed=sum(1 for entry in by_host.values() if entry['status'] == 'failed'), writes_lost=0 if account else 1,
           tags_expected=len(expected), tags_lost=len(lost), untruthful=len(untruthful), crashes=len(crashes),
           messages=sorted({str(entry['result'].get('msg'))[:200] for entry in by_host.values() if entry['status'] == 'failed'}))
    assert not crashes and len(by_host) == 10, process.stdout[-3000:]
    assert lost == [], 'tags lost: %s (account has %s)' % (lost, sorted(tags))
    assert untruthful == [], 'untruthful or failed writers: %s' % {
        host: (by_host[host]['status'], by_host[host]['result'].get('changed'), by_host[host]['result'].get('msg'))
        for host in untruthful}
