"""Render docs/reliability.md from the rows the reliability tests recorded (tests/integration/matrix.py).

The report is generated, never typed: a one-screen summary (the verdict, the totals, one line per kind of test and
the broken rules, if any), then the fault matrix (fault x operation), the concurrency runs, the bad inputs and where
each was caught, and the security checks, exactly as the last run observed them.

    python tests/tools/reliability_report.py --input tests/output/reliability --output docs/reliability.md \
        --command "make reliability"
"""
import argparse
import os
import sys

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TESTS_DIR, 'integration'))
from matrix import load, output_dir  # noqa: E402 pylint: disable=wrong-import-position,import-error

OPERATIONS = ('create', 'update', 'delete', 'info', 'async_create', 'async_delete')


def cell(text):
    """Text safe inside a Markdown table cell."""
    return str(text if text is not None else '').replace('|', '\\|').replace('\n', ' ')


def short(text, limit=90):
    text = str(text)
    return text if len(text) <= limit else text[:limit] + '...'


def table(header, rows):
    lines = ['| ' + ' | '.join(header) + ' |', '|' + ' --- |' * len(header)]
    lines += ['| ' + ' | '.join(cell(value) for value in row) + ' |' for row in rows]
    return lines


def totals(sections):
    matrix, concurrency, security = sections['fault_matrix'], sections['concurrency'], sections['security']
    survived = sum(1 for row in matrix if not row['problems'])
    lost_writes = sum(1 for row in matrix if row.get('write_lost')) + sum(row.get('writes_lost', 0) for row in concurrency)
    return [
        '| measure | result |', '| --- | --- |',
        '| faults survived / tried (fault matrix cells that hold every rule) | **%d / %d** |' % (survived, len(matrix)),
        '| writes lost (fault matrix + concurrency) | **%d** |' % lost_writes,
        '| tags lost (concurrent writers) | **%d** |' % sum(row.get('tags_lost', 0) for row in concurrency),
        '| untruthful `changed` under concurrency | **%d** |' % sum(row.get('untruthful', 0) for row in concurrency),
        '| tokens sent to a foreign host | **%d** |' % sum(row.get('authorization_sent', 0) for row in security),
        '| secrets leaked (output, results, runner artifacts) | **%d** |' % sum(row.get('secrets_leaked', 0) for row in security),
        '| bad inputs stopped by the module before any write / tried | **%d / %d** |' % (
            sum(1 for row in sections['bad_inputs'] if row['caught'].startswith('module')), len(sections['bad_inputs'])),
    ]


def plural(count, word):
    return '%d %s%s' % (count, word, '' if count == 1 else 's')


def summary(sections):
    """The report's first screen: the verdict, the totals, one line per kind of test, the broken rules if any."""
    matrix, concurrency, security, bad = (sections[name] for name in ('fault_matrix', 'concurrency', 'security', 'bad_inputs'))
    broken = ['%s x %s: %s' % (row['fault'], row['operation'], '; '.join(row['problems'])) for row in matrix if row['problems']]
    broken += ['%s: %d writes, %d tags lost, %d untruthful changed'
               % (row['run'], row.get('writes_lost', 0), row.get('tags_lost', 0), row.get('untruthful', 0))
               for row in concurrency if row.get('writes_lost') or row.get('tags_lost') or row.get('untruthful')]
    broken += ['%s: %d tokens sent to a foreign host, %d secrets leaked'
               % (row['check'], row.get('authorization_sent', 0), row.get('secrets_leaked', 0))
               for row in security if row.get('authorization_sent') or row.get('secrets_leaked')]
    broken += ['bad input %s: %s' % (short(row['input'], 60), row['caught']) for row in bad if not row['caught'].startswith('module')]
    tried = len(matrix) + len(concurrency) + len(security) + len(bad)
    verdict = ('**Every rule held in all %d cases.**' % tried if not broken
               else '**%s of %d cases broke a rule** (listed at the end of this summary).' % (len(broken), tried))
    faults = list(dict.fromkeys(row['fault'] for row in matrix))
    operations = [operation for operation in OPERATIONS if any(row['operation'] == operation for row in matrix)]
    ok = [row for row in matrix if row['outcome'] == 'ok']
    failing = list(dict.fromkeys(row['fault'] for row in matrix if row['outcome'] != 'ok' and not row['problems']))
    before_request = sum(1 for row in bad if row['caught'] == 'module, before any request')
    lines = [verdict, ''] + totals(sections) + [
        '',
        '- **Faults** (%s; %s x %s, where the fault applies): the task ends `ok` in %d, with Azure\'s answer retried, '
        're-read or waited out; it fails, as required, in %d%s. %s.' % (
            plural(len(matrix), 'cell'), plural(len(faults), 'fault'), plural(len(operations), 'operation'), len(ok),
            len(matrix) - len(ok), ' (%s)' % ', '.join(failing) if failing else '',
            'Every re-run converges' if all(row['converges'] for row in matrix)
            else '%d re-runs do not converge' % sum(1 for row in matrix if not row['converges'])),
        '- **Concurrency** (%s): %d writes and %d tags lost, %d untruthful `changed`.' % (
            plural(len(concurrency), 'run') + (': ' + '; '.join(row['run'] for row in concurrency) if concurrency else ''),
            sum(row.get('writes_lost', 0) for row in concurrency), sum(row.get('tags_lost', 0) for row in concurrency),
            sum(row.get('untruthful', 0) for row in concurrency)),
        '- **Security** (%s: hostile links against real local listeners, `-vvvv` output, ansible-runner artifacts): '
        '%d tokens sent to a foreign host, %d secrets leaked.' % (
            plural(len(security), 'check'), sum(row.get('authorization_sent', 0) for row in security),
            sum(row.get('secrets_leaked', 0) for row in security)),
        '- **Bad inputs** (%d tried): %d stopped by the module before any request, %d after reading the account and '
        'before any write, %d reached Resource Manager.' % (
            len(bad), before_request, sum(1 for row in bad if row['caught'].startswith('module, after')),
            sum(1 for row in bad if not row['caught'].startswith('module'))),
    ]
    if broken:
        lines += ['', 'Broken rules:', ''] + ['- %s' % cell(text) for text in broken[:20]]
        if len(broken) > 20:
            lines.append('- ... and %d more, in the tables below' % (len(broken) - 20))
    return lines


def matrix_grid(rows):
    """Fault x operation at a glance: pass, FAIL or n/a (not applicable)."""
    faults = list(dict.fromkeys(row['fault'] for row in rows))
    by_cell = {(row['fault'], row['operation']): row for row in rows}
    grid = []
    for fault in faults:
        line = [fault]
        for operation in OPERATIONS:
            row = by_cell.get((fault, operation))
            if row is None:
                line.append('n/a')
            else:
                verdict = 'pass' if not row['problems'] else '**FAIL**'
                line.append('%s: %s%s' % (verdict, row['outcome'], ', changed' if row['changed'] else ''))
        grid.append(line)
    return table(['fault'] + list(OPERATIONS), grid) + [
        '', '`n/a`: the fault does not apply to the operation (412 answers only a create with `If-None-Match: *`; '
        'malformed list bodies only a list; ARM sends 409 AnotherOperationInProgress only to writes; a foreign '
        'link only where a link is followed; a list that breaks off on page 3 only a list; an etag that cannot go '
        'back into `If-Match` only where the GET before a write reads one: update and delete).']


def folded(requests):
    """The request sequence with repeats folded: ``GET result 202 x14``."""
    out = []
    for request in requests:
        if out and out[-1][0] == request:
            out[-1][1] += 1
        else:
            out.append([request, 1])
    return ', '.join(request if count == 1 else '%s x%d' % (request, count) for request, count in out)


def matrix_detail(rows):
    detail = []
    for row in rows:
        outcome = row['outcome'] + (' (%s)' % row['error_code'] if row.get('error_code') else '')
        detail.append([row['fault'], row['operation'], row['expect'], outcome, row['changed'], row['before'], row['final'],
                       folded(row['requests']), 'yes' if row['converges'] else '**no**', '; '.join(row['problems']) or 'ok'])
    return table(['fault', 'operation', 'required', 'outcome', 'changed', 'before', 'final state (emulator)',
                  'requests sent', 're-run converges', 'rule broken'], detail)


def render(rows, command):
    # Parallel workers record in any order: rows carry their place ('order', else the key sorts them).
    sections = {name: sorted((row for row in rows if row['section'] == name), key=lambda row: (row.get('order', 1e9), row['key']))
                for name in ('fault_matrix', 'concurrency', 'security', 'bad_inputs')}
    newest = max((row['recorded_at'] for row in rows), default='(no rows)')
    lines = [
        '# Reliability: faults, concurrency, bad input, secrets',
        '',
        '<!-- Generated by tests/tools/reliability_report.py; do not edit by hand. -->',
        'Generated from the rows recorded by `%s` (last row recorded %s UTC) by `tests/tools/reliability_report.py`.' % (
            command, newest.replace('T', ' ').rstrip('Z')),
        'Sources: tests/integration/test_fault_matrix.py, test_concurrency.py, test_security.py and '
        'test_input_validation.py, all real `ansible` / `ansible-playbook` runs against the emulator. '
        'Regenerate with `make reliability`.',
        '',
        '## Summary',
        '',
    ] + summary(sections)
    lines += [
        '',
        '## Fault matrix',
        '',
        'Each cell: the fault injected on the operation\'s write (for `info`: the first list page of four; `404 on page',
        '3`: the third; `etag outside Latin-1`: the GET before the write), one run,',
        'then a re-run with the fault gone. Rules: no traceback; a failed task names an error code; `changed` is true',
        'exactly when the account (read from the emulator) changed; `ok` means the account is as asked (a list is',
        'complete); answers that are not a documented success fail; the re-run converges (after an `ok` run:',
        '`changed: false` and one GET). Requests: `!` marks an injected answer, `drop` a dropped connection, `xN` a',
        'repeat; a request is listed when its answer was sent, so an answer delayed past `timeout` comes after the',
        'retries it caused; identity and metadata calls are left out.',
        '',
    ] + matrix_grid(sections['fault_matrix']) + ['', '### Every cell', ''] + matrix_detail(sections['fault_matrix'])
    lines += ['', '## Concurrency', '']
    lines += table(['run', 'writers', 'task results', 'changed', 'failed', 'writes lost', 'tags lost', 'untruthful changed'],
                   [[row['run'], row['writers'], row['results'], row['changed'], row['failed'], row.get('writes_lost', 0),
                     row.get('tags_lost', 0), row.get('untruthful', 0)] for row in sections['concurrency']])
    lines += ['', '## Bad inputs', '']
    if sections['bad_inputs']:
        lines += table(['input', 'caught', 'requests sent', 'message'],
                       [[short(row['input']), row['caught'], row['requests_sent'], row['message']] for row in sections['bad_inputs']])
    else:
        lines.append('No bad-input rows were recorded in this run (tests/integration/test_input_validation.py records '
                     'them through `matrix.record_bad_input`).')
    lines += ['', '## Security', '']
    lines += table(['check', 'outcome', 'error code', 'tokens sent to a foreign host', 'secrets leaked', 'message'],
                   [[row['check'], row['outcome'], row.get('error_code') or '', row.get('authorization_sent', 'n/a'),
                     row.get('secrets_leaked', 0), row.get('message', '')] for row in sections['security']])
    return '\n'.join(lines) + '\n'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--input', default=output_dir(), help='directory of recorded rows (default: %(default)s)')
    parser.add_argument('--output', required=True, help='the Markdown file to write')
    parser.add_argument('--command', default='make reliability', help='the command that produced the rows, for the header')
    args = parser.parse_args(argv)
    rows = load(args.input)
    if not any(row['section'] == 'fault_matrix' for row in rows):
        parser.error('no fault matrix rows in %s: run the reliability tests first' % args.input)
    with open(args.output, 'w', encoding='utf-8') as handle:
        handle.write(render(rows, args.command))
    print('wrote %s from %d rows' % (args.output, len(rows)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
