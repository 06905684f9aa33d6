"""The examples of the text users read (README.md, docs/ but docs/reference/), as the marker before each block says.

A marker is an HTML comment (invisible on GitHub) on the line right before a fenced block:

    <!-- example: playbook -->              run with ansible-playbook
    <!-- example: inventory FILE -->        written to FILE, run with ansible-inventory -i FILE --graph and --list
    <!-- example: file PATH -->             written to PATH before the next runnable example of the document
    <!-- example: not run (reason) -->      shown, not run; the reason says why

A ``yaml``/``yml`` block without a marker is an error, so no example can drift from the code unseen. Fences follow
CommonMark: a block opened by N backticks (or tildes) closes only with at least N of them, so a ````markdown block
can show markers and fences without them counting. Blocks indented in a list item lose that indentation.
"""
import os
import re

MARKER = re.compile(r'^\s*<!--\s*example:\s*(?P<spec>.*?)\s*-->\s*$')
FENCE = re.compile(r'^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[^\s`]*)')
RUNNABLE = ('playbook', 'inventory')
MARKED_LANGUAGES = ('yaml', 'yml')
GUID = re.compile(r'\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b')
DOCUMENTED_EMULATOR = re.compile(r'make emulator RESOURCE_GROUPS="(?P<groups>[^"]+)"')


class Example(object):
    """One marked block: ``kind`` (playbook, inventory, file, not run), ``arg`` (FILE, PATH or reason), its text."""

    def __init__(self, doc, line, kind, arg, text):
        self.doc, self.line, self.kind, self.arg, self.text = doc, line, kind, arg, text

    def where(self):
        return '%s:%d' % (self.doc, self.line)

    def __repr__(self):
        return 'Example(%s, %s %s)' % (self.where(), self.kind, self.arg or '')


def documents(root):
    """README.md and every Markdown file under docs/ but docs/reference/ (generated), relative to ``root``."""
    found = ['README.md'] if os.path.exists(os.path.join(root, 'README.md')) else []
    for folder, subfolders, files in os.walk(os.path.join(root, 'docs')):
        subfolders[:] = sorted(d for d in subfolders if os.path.relpath(os.path.join(folder, d), root) != 'docs/reference')
        found += sorted(os.path.relpath(os.path.join(folder, name), root) for name in files if name.endswith('.md'))
    return found


def parse_marker(spec):
    """(kind, arg) of a marker's text after ``example:``; ValueError naming the rule when it is not one of the four."""
    if spec == 'playbook':
        return 'playbook', None
    match = re.match(r'^(inventory|file)\s+(\S+)$', spec)
    if match:
        path = match.group(2)
        if os.path.isabs(path) or '..' in path.split('/'):
            raise ValueError('%s: the path must stay inside the example directory' % spec)
        return match.group(1), path
    match = re.match(r'^not run\s*\((.*\S.*)\)$', spec)
    if match:
        return 'not run', match.group(1).strip()
    raise ValueError('unknown example marker %r: use "playbook", "inventory FILE", "file PATH" or "not run (reason)"' % spec)


def parse(doc, text):
    """(examples, errors) of one document's text; ``doc`` names it in both."""
    examples, errors = [], []
    lines = text.splitlines()
    pending = None  # (line number, kind, arg) of a marker waiting for its block
    index = 0
    while index < len(lines):
        line = lines[index]
        opened = FENCE.match(line)
        marker = MARKER.match(line)
        if marker:
            if pending:
                errors.append('%s:%d: example marker not followed by a fenced block' % (doc, pending[0]))
            try:
                pending = (index + 1,) + parse_marker(marker.group('spec'))
            except ValueError as error:
                errors.append('%s:%d: %s' % (doc, index + 1, error))
                pending = (index + 1, 'invalid', None)  # still the block's marker: one error, not two
            index += 1
            continue
        if not opened:
            if pending:
                errors.append('%s:%d: example marker not followed by a fenced block' % (doc, pending[0]))
                pending = None
            index += 1
            continue
        fence, indent, lang = opened.group('fence'), len(opened.group('indent')), opened.group('lang').lower()
        body, index = [], index + 1
        while index < len(lines):
            closing = re.match(r'^\s*(%s{%d,})\s*$' % (re.escape(fence[0]), len(fence)), lines[index])
            if closing:
                break
            body.append(lines[index][indent:] if lines[index][:indent].strip() == '' else lines[index].lstrip())
            index += 1
        start = index - len(body)  # the fence's line number (1-based) is start
        if pending and pending[0] == start - 1:
            if pending[1] != 'invalid':
                examples.append(Example(doc, start, pending[1], pending[2], '\n'.join(body) + '\n'))
        elif lang in MARKED_LANGUAGES:
            errors.append('%s:%d: a %s block without an example marker (<!-- example: playbook | inventory FILE | '
                          'file PATH | not run (reason) -->)' % (doc, start, lang))
        pending = None
        index += 1
    if pending:
        errors.append('%s:%d: example marker not followed by a fenced block' % (doc, pending[0]))
    runnable_after = False
    for example in reversed(examples):
        if example.kind in RUNNABLE:
            runnable_after = True
        elif example.kind == 'file' and not runnable_after:
            errors.append('%s: a file example that no later runnable example of the document uses' % example.where())
    return examples, errors


def subscriptions(examples):
    """The literal subscription IDs the runnable examples (and the files they use) show, in order."""
    found = []
    for example in examples:
        if example.kind != 'not run':
            found += [guid.lower() for guid in GUID.findall(example.text)]
    return list(dict.fromkeys(found))


def documented_groups(readme_text):
    """The resource groups of README.md's ``make emulator RESOURCE_GROUPS="..."``: what the examples may use."""
    match = DOCUMENTED_EMULATOR.search(readme_text)
    return match.group('groups').split() if match else []
