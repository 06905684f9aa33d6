"""Horizontal bar charts as small, self-contained SVG files, for the figures the benchmarks measure.

Pure Python (no plotting library: a bar chart is a few rectangles and labels, and the SVG text diffs well in git).

    from charts import bar_chart, write_chart

    svg = bar_chart('Cost per task, as a multiple of the floor',
                    [('noop', 1.34), ('check', 0.95), ('info', None)],      # one series: (label, value) pairs
                    unit='x', reference=(1.0, 'floor'), note='median of 3 rounds; 2 CPUs, load 6')
    write_chart('docs/images/performance-per-task.svg', 'Cost per task', ...)  # same arguments, after the path

    bar_chart('ansible-inventory --list', [('cold', [('100', 2.56), ('1,000', 14.17)]),     # several series:
                                           ('warm', [('100', 3.43), ('1,000', 7.25)])],    # (name, pairs) each
              unit='s')

``series`` is either one list of ``(label, value)`` pairs, or a list of ``(series name, [(label, value), ...])``;
with several series the bars of one label are grouped (in series order, with a legend), labels in the order they
first appear. A value is a number >= 0, or None for "not measured" (written as such, no bar). ``unit`` follows each
value (``'s'``, ``' MiB'``, ``'x'``); ``digits`` is the number of decimals shown; ``reference`` is ``(value, text)``
for a dashed line across the bars (e.g. the floor at 1.0); ``note`` is a line under the chart (what was measured,
where, when). The scale starts at 0 and ends at a round number above the largest value (or the reference).
"""
import math
import os
from xml.sax.saxutils import escape

PALETTE = ('#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1')
FONT = 'font-family="sans-serif" font-size="12"'
CHAR_WIDTH = 7.0  # approximate width of a 12 px sans-serif character, for the label column
BAR, GAP, PAD = 16, 10, 12


def _normalise(series):
    """[(name or None, [(label, value), ...])] from either accepted shape."""
    series = list(series)
    if series and isinstance(series[0][1], (list, tuple)):
        return [(name, list(pairs)) for name, pairs in series]
    return [(None, series)]


def _nice_top(value):
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is >= value (the end of the scale)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _number(value, digits):
    return '{:,.{}f}'.format(value, digits)


def bar_chart(title, series, unit='', digits=2, reference=None, note='', width=720):
    """The SVG text of a horizontal bar chart (see the module docstring for the arguments)."""
    groups = _normalise(series)
    labels = list(dict.fromkeys(label for _name, pairs in groups for label, _value in pairs))
    values = dict(((name, label), value) for name, pairs in groups for label, value in pairs)
    named = [name for name, _pairs in groups if name is not None]
    numbers = [value for value in values.values() if value is not None]
    top = _nice_top(max(numbers + ([reference[0]] if reference else []) + [0]))
    label_width = PAD + CHAR_WIDTH * max([len(str(label)) for label in labels] + [4])
    value_width = CHAR_WIDTH * (len(_number(top, digits) + unit) + 1)
    plot_left, plot_width = label_width + PAD, width - label_width - 2 * PAD - value_width
    legend_height = 20 if named else 0
    top_y = 34 + legend_height + (14 if reference else 0)
    group_height = BAR * len(groups) + GAP
    plot_height = group_height * len(labels)
    height = top_y + plot_height + 24 + (18 if note else 0) + PAD

    def x_of(value):
        return plot_left + plot_width * value / top

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img">'
           % (width, height, width, height),
           '<title>%s</title>' % escape(title),
           '<rect width="100%" height="100%" fill="#ffffff"/>',
           '<text x="%d" y="20" font-family="sans-serif" font-size="14" font-weight="bold">%s</text>' % (PAD, escape(title))]
    x = PAD
    for index, name in enumerate(named):
        out.append('<rect x="%.1f" y="30" width="12" height="12" fill="%s"/>' % (x, PALETTE[index % len(PALETTE)]))
        out.append('<text x="%.1f" y="40" %s>%s</text>' % (x + 16, FONT, escape(str(name))))
        x += 16 + CHAR_WIDTH * len(str(name)) + 20
    step = _nice_top(top / 5.0)
    step_text = ('%.6f' % step).rstrip('0').rstrip('.')
    step_digits = len(step_text.split('.')[1]) if '.' in step_text else 0
    for tick in range(int(round(top / step)) + 1):
        value = step * tick
        x = x_of(value)
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#dddddd"/>' % (x, top_y - 4, x, top_y + plot_height))
        out.append('<text x="%.1f" y="%d" %s text-anchor="middle" fill="#555555">%s</text>'
                   % (x, top_y + plot_height + 16, FONT, escape(_number(value, step_digits))))
    for row, label in enumerate(labels):
        y = top_y + row * group_height
        out.append('<text x="%.1f" y="%.1f" %s text-anchor="end">%s</text>'
                   % (label_width, y + BAR * len(groups) / 2.0 + 4, FONT, escape(str(label))))
        for index, (name, _pairs) in enumerate(groups):
            value = values.get((name, label))
            bar_y = y + index * BAR
            if value is None:
                out.append('<text x="%.1f" y="%d" %s fill="#777777">not measured</text>' % (plot_left + 4, bar_y + 12, FONT))
                continue
            color = PALETTE[index % len(PALETTE)]
            out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s%s: %s%s</title></rect>'
                       % (plot_left, bar_y + 1, max(x_of(value) - plot_left, 0.5), BAR - 2, color,
                          escape(str(label)), escape(' (%s)' % name) if name else '', _number(value, digits), escape(unit)))
            out.append('<text x="%.1f" y="%d" %s>%s%s</text>' % (x_of(value) + 4, bar_y + 12, FONT,
                                                                 _number(value, digits), escape(unit)))
    if reference:
        x = x_of(reference[0])
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#333333" stroke-dasharray="4 3"/>'
                   % (x, top_y - 6, x, top_y + plot_height))
        out.append('<text x="%.1f" y="%d" %s text-anchor="middle" fill="#333333">%s</text>'
                   % (x, top_y - 8, FONT, escape(reference[1])))
    if note:
        out.append('<text x="%d" y="%d" %s fill="#555555">%s</text>' % (PAD, height - PAD, FONT, escape(note)))
    out.append('</svg>')
    return '\n'.join(out) + '\n'


def write_chart(path, title, series, **options):
    """bar_chart(...) written to ``path`` (its folder is created); returns the path."""
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(bar_chart(title, series, **options))
    return path
