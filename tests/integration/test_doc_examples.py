"""Every example of README.md and docs/ runs as written against the emulator (the markers: doc_examples.py).

One emulator per document, started as README.md tells users to (``make emulator RESOURCE_GROUPS="..."``, through
tests/tools/with_emulator.py, as ``make emulator`` does), with the subscription IDs the document's examples show
as extra subscriptions; the examples run in document order, in a fresh directory, with real ``ansible-playbook`` /
``ansible-inventory`` and only the emulator's env file for settings. A playbook runs with ``-i FILE`` for each
inventory example shown before it in the document, must run on at least one host and succeed, then runs a second
time: that run must write nothing (the emulator's journal) and report no change, unless the first run deleted an
account it had created (a walk-through), in which case it must send exactly the same writes again.
"""
import json
import os
import re
import subprocess

import pytest
import requests

from doc_examples import documented_groups, documents, parse, subscriptions  # pylint: disable=import-error
from harness import BIN_DIR, ENV_NAMES_TO_DROP  # pylint: disable=import-error
from with_emulator import start, stop  # pylint: disable=import-error

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMEOUT = 600


def read(doc):
    with open(os.path.join(ROOT, doc), encoding='utf-8') as handle:
        return handle.read()


def parsed():
    """{doc: examples} of every document, and the list of every parse error."""
    found, errors = {}, []
    for doc in documents(ROOT):
        examples, doc_errors = parse(doc, read(doc))
        found[doc] = examples
        errors += doc_errors
    return found, errors


EXAMPLES, PARSE_ERRORS = parsed()
RUNNABLE_DOCS = [doc for doc, examples in EXAMPLES.items() if any(e.kind in ('playbook', 'inventory') for e in examples)]


def test_every_yaml_block_is_marked():
    assert PARSE_ERRORS == []
    assert RUNNABLE_DOCS, 'no document has a runnable example'
    assert 'README.md' in EXAMPLES and 'docs/reference/index.rst' not in EXAMPLES


def test_readme_documents_the_groups_of_the_examples():
    assert documented_groups(read('README.md')), 'README.md must show make emulator RESOURCE_GROUPS="..."'


@pytest.mark.parametrize('text, error', [
    ('```yaml\na: 1\n```\n', 'doc.md:1: a yaml block without an example marker'),
    ('<!-- example: playbook -->\n\n```yaml\n- hosts: all\n```\n', 'doc.md:1: example marker not followed by a fenced block'),
    ('<!-- example: run it -->\n```yaml\na: 1\n```\n', "doc.md:1: unknown example marker 'run it'"),
    ('<!-- example: not run () -->\n```yaml\na: 1\n```\n', 'doc.md:1: unknown example marker'),
    ('<!-- example: file ../x.yml -->\n```yaml\na: 1\n```\n', 'doc.md:1: file ../x.yml: the path must stay inside'),
    ('<!-- example: file x.yml -->\n```yaml\na: 1\n```\n', 'doc.md:2: a file example that no later runnable example'),
])
def test_the_markers_are_checked(text, error):
    _examples, errors = parse('doc.md', text)
    assert errors and errors[0].startswith(error), errors


def test_the_markers_are_read():
    text = ('````markdown\n<!-- example: playbook -->\n```yaml\nnot: an example\n```\n````\n'
            '<!-- example: file group_vars/all.yml -->\n```yaml\nx: 1\n```\n'
            '1. A list item:\n   <!-- example: inventory a.azureml_accounts.yml -->\n   ```yaml\n   plugin: p\n   ```\n'
            '<!-- example: not run (needs AWX) -->\n```yml\n- hosts: all\n```\n```sh\nls\n```\n')
    examples, errors = parse('doc.md', text)
    assert errors == []
    assert [(e.line, e.kind, e.arg, e.text) for e in examples] == [
        (8, 'file', 'group_vars/all.yml', 'x: 1\n'),
        (13, 'inventory', 'a.azureml_accounts.yml', 'plugin: p\n'),
        (17, 'not run', 'needs AWX', '- hosts: all\n')]


class Journal(object):
    """The emulator's request journal (its control API), to see what a run wrote."""

    def __init__(self, env):
        self.url = env['EMULATOR_URL'] + '/_emulator/requests'
        self.http = requests.Session()
        self.http.verify = env['REQUESTS_CA_BUNDLE']
        self.http.trust_env = False

    def clear(self):
        self.http.delete(self.url, timeout=30).raise_for_status()

    def writes(self):
        response = self.http.get(self.url, timeout=30)
        response.raise_for_status()
        return [(entry['method'], entry['path']) for entry in response.json()['requests']
                if entry['kind'] == 'arm' and entry['method'] != 'GET']


def changed_count(output):
    counts = re.findall(r'^\S+\s*:\s*ok=\d+\s+changed=(\d+)', output, re.MULTILINE)
    assert counts, output
    return sum(int(count) for count in counts)


def walkthrough(writes):
    """True when the run deleted an account it had created: running it again repeats it, it cannot converge."""
    created = set()
    for method, path in writes:
        if method == 'PUT':
            created.add(path.lower())
        elif method == 'DELETE' and path.lower() in created:
            return True
    return False


class Runner(object):
    """Runs one document's examples in order in ``work``, against the emulator described by ``env``."""

    def __init__(self, work, env):
        self.work = work
        self.journal = Journal(env)
        self.env = {key: value for key, value in os.environ.items() if key not in ENV_NAMES_TO_DROP}
        self.env.update(env, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0')
        self.inventories = []
        self.count = 0

    def command(self, example, *args, **extra_env):
        process = subprocess.run(list(args), cwd=self.work, env=dict(self.env, **extra_env), capture_output=True,
                                 text=True, timeout=TIMEOUT, check=False)
        assert process.returncode == 0, '%s (%s) failed:\n%s\n%s' % (example.where(), ' '.join(args[1:]),
                                                                     process.stdout[-6000:], process.stderr[-3000:])
        return process

    def write(self, path, text):
        target = os.path.join(self.work, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, 'w', encoding='utf-8') as handle:
            handle.write(text)
        return target

    def inventory(self, example):
        self.write(example.arg, example.text)
        strict = {'ANSIBLE_INVENTORY_UNPARSED_FAILED': 'true'}  # as AWX runs it: a source that fails fails the command
        self.command(example, os.path.join(BIN_DIR, 'ansible-inventory'), '-i', example.arg, '--graph', **strict)
        listed = json.loads(self.command(example, os.path.join(BIN_DIR, 'ansible-inventory'), '-i', example.arg, '--list',
                                         **strict).stdout)
        assert '_meta' in listed, '%s: %s' % (example.where(), listed)
        self.inventories.append(example.arg)

    def playbook(self, example):
        self.count += 1
        path = 'example-%d.yml' % self.count
        self.write(path, example.text)
        command = [os.path.join(BIN_DIR, 'ansible-playbook'), path]
        for inventory in self.inventories:
            command += ['-i', inventory]
        self.journal.clear()
        first = self.command(example, *command)
        assert 'no hosts matched' not in first.stdout, '%s ran on no host:\n%s' % (example.where(), first.stdout)
        first_writes = self.journal.writes()
        self.journal.clear()
        second = self.command(example, *command)
        second_writes = self.journal.writes()
        if walkthrough(first_writes):
            assert second_writes == first_writes, '%s: a second run wrote differently' % example.where()
        else:
            assert (second_writes, changed_count(second.stdout)) == ([], 0), \
                '%s: a second run changed something:\n%s' % (example.where(), second.stdout[-6000:])
        return first_writes

    def run(self, example):
        if example.kind == 'file':
            self.write(example.arg, example.text)
        elif example.kind == 'inventory':
            self.inventory(example)
        elif example.kind == 'playbook':
            self.playbook(example)


@pytest.mark.parametrize('doc', RUNNABLE_DOCS)
def test_documented_examples_run_as_written(doc, tmp_path):
    examples = EXAMPLES[doc]
    groups = documented_groups(read('README.md'))
    with open(str(tmp_path / 'emulator.log'), 'ab') as log:
        process, env = start(str(tmp_path / 'emulator'), groups, subscriptions(examples), log=log,
                             extra_args=['--in-memory'])
    try:
        work = tmp_path / 'work'
        work.mkdir()
        runner = Runner(str(work), env)
        for example in examples:
            runner.run(example)
    finally:
        stop(process)
