"""Horizontal bar charts as small, self-contained SVG files, for the figures the benchmarks measure.

Pure Python (no plotting library: a bar chart is a few rectangles and labels, and the SVG text diffs well in git).

    from charts import bar_chart, run_conditions, write_chart

    svg = bar_chart('Cost per task, as a multiple of the floor',
                    [('noop', 1.34), ('check', 0.95), ('info', None)],      # one series: (label, value) pairs
                    unit='x', value_title='multiple of the floor (x)', label_title='case',
                    thresholds=[(1.0, 'floor'), (1.15, 'goal 1.15x')],     # lines across the bars, never bars
                    note='median of 3 rounds', conditions=run_conditions(load_start, load_end))
    write_chart('docs/images/performance-per-task.svg', 'Cost per task', ...)  # same arguments, after the path

    bar_chart('ansible-inventory --list', [('cold', [('100', 2.56), ('1,000', 14.17)]),     # several series:
                                           ('warm', [('100', 3.43), ('1,000', 7.25)])],    # (name, pairs) each
              unit=' s', value_title='seconds (s)')

``series`` is either one list of ``(label, value)`` pairs, or a list of ``(series name, [(label, value), ...])``;
with several series the bars of one label are grouped (in series order, with a legend), labels in the order they
first appear. A value is a number >= 0, or None for "not measured" (written as such, no bar). ``unit`` follows each
value (``' s'``, ``' MiB'``, ``'x'``); ``digits`` is the number of decimals shown. ``value_title`` and
``label_title`` title the two axes (say the unit in the value axis's title). ``thresholds`` are ``(value, text)``
pairs drawn as dashed lines across the bars (a goal, a limit, the floor); ``reference`` is one more, kept for older
callers. ``note`` (what was measured) and ``conditions`` (when, on what machine, at what load: ``run_conditions``)
are written under the chart, wrapped to its width. The scale starts at 0 and ends at a round number above the
largest value and threshold. Every text is placed inside the canvas: long titles, legends and footers wrap, and a
threshold's label near an edge is moved inward.
"""
import math
import os
import platform
import time
from xml.sax.saxutils import escape

PALETTE = ('#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1')
FONT = 'font-family="sans-serif" font-size="12"'
SMALL = 'font-family="sans-serif" font-size="11"'
CHAR_WIDTH = 7.0  # a generous width of a 12 px sans-serif character (DejaVu Sans averages about 6.6): text is never wider
SMALL_CHAR_WIDTH = 6.4
TITLE_CHAR_WIDTH = 8.6  # 14 px bold
BAR, GAP, PAD, LINE = 16, 10, 12, 16


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


def wrap(text, chars):
    """``text`` in lines of at most ``chars`` characters, broken at spaces (a longer word is cut)."""
    lines, line = [], ''
    for word in str(text).split():
        while len(word) > chars:
            if line:
                lines.append(line)
                line = ''
            lines.append(word[:chars])
            word = word[chars:]
        if line and len(line) + 1 + len(word) > chars:
            lines.append(line)
            line = word
        else:
            line = (line + ' ' + word).strip()
    return lines + ([line] if line else [])


def run_conditions(load_start=None, load_end=None, when=None, extra=''):
    """'2026-12-07 14:05; Intel(R) Xeon(R) Processor, 2 CPUs; load average 0.4 at the start, 0.9 at the end; Python 3.11.7':
    the run's conditions, for the line under a chart."""
    parts = [time.strftime('%Y-%m-%d %H:%M', time.localtime(when)), '%s, %d CPUs' % (cpu_model(), os.cpu_count() or 0)]
    if load_start is not None:
        load = 'load average %.1f at the start' % load_start
        parts.append(load + (', %.1f at the end' % load_end if load_end is not None else ''))
    parts.append('Python %s' % platform.python_version())
    return '; '.join(parts + ([extra] if extra else []))


def cpu_model():
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as handle:
            return next(line.split(':', 1)[1].strip() for line in handle if line.startswith('model name'))
    except (OSError, StopIteration):
        return platform.machine() or 'unknown CPU'


class _Canvas(object):
    """SVG elements, a width, and the y where the next block goes."""

    def __init__(self, width):
        self.width = width
        self.y = 0
        self.out = []

    def text(self, x, y, content, style=FONT, **attributes):
        extra = ''.join(' %s="%s"' % (key.replace('_', '-'), value) for key, value in sorted(attributes.items()))
        self.out.append('<text x="%.1f" y="%.1f" %s%s>%s</text>' % (x, y, style, extra, escape(str(content))))

    def lines(self, text, chars, style, step):
        """Wrapped text from the left margin, one line every ``step`` px."""
        for line in wrap(text, chars):
            self.y += step
            self.text(PAD, self.y, line, style, fill='#555555')


def _legend(canvas, named):
    """Colour keys of the series, flowing onto more rows when the width is used up."""
    x, row = PAD, canvas.y + 10
    for index, name in enumerate(named):
        span = 16 + CHAR_WIDTH * len(str(name)) + 20
        if x > PAD and x + span - 20 > canvas.width - PAD:
            x, row = PAD, row + LINE + 2
        canvas.out.append('<rect x="%.1f" y="%d" width="12" height="12" fill="%s"/>' % (x, row, PALETTE[index % len(PALETTE)]))
        canvas.text(x + 16, row + 10, name)
        x += span
    canvas.y = row + (LINE if named else 0)


def _threshold_rows(thresholds, x_of, width):
    """(x of the line, x of its label, row) for each threshold: labels kept inside the canvas, overlapping ones a row higher."""
    placed = []
    for value, text in sorted(thresholds, key=lambda item: item[0]):
        half = CHAR_WIDTH * len(text) / 2.0
        x = x_of(value)
        label_x = min(max(x, PAD + half), width - PAD - half)
        row = 0
        while any(other_row == row and abs(other_x - label_x) < half + other_half + 6 for _x, other_x, other_row, other_half, _t in placed):
            row += 1
        placed.append((x, label_x, row, half, text))
    return placed


def _bars(canvas, groups, labels, values, geometry, unit, digits):
    """The label column and the bars of each label; returns where each bar's value is to be written (x, y, text)."""
    plot_left, label_right, x_of = geometry
    group_height = BAR * len(groups) + GAP
    values_drawn = []
    for row, label in enumerate(labels):
        y = canvas.y + row * group_height
        canvas.text(label_right, y + BAR * len(groups) / 2.0 + 4, label, text_anchor='end')
        for index, (name, _pairs) in enumerate(groups):
            value = values.get((name, label))
            bar_y = y + index * BAR
            if value is None:
                canvas.text(plot_left + 4, bar_y + 12, 'not measured', fill='#777777')
                continue
            canvas.out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s%s: %s%s</title></rect>'
                              % (plot_left, bar_y + 1, max(x_of(value) - plot_left, 0.5), BAR - 2, PALETTE[index % len(PALETTE)],
                                 escape(str(label)), escape(' (%s)' % name) if name else '', _number(value, digits), escape(unit)))
            values_drawn.append((x_of(value) + 4, bar_y + 12, _number(value, digits) + unit))
    return values_drawn


def _grid(canvas, top, plot, x_of):
    """Grid lines at round values, under the bars; returns the ticks (x, text) for ``_scale``."""
    _plot_left, plot_top, plot_bottom, _plot_width = plot
    step = _nice_top(top / 5.0)
    step_text = ('%.6f' % step).rstrip('0').rstrip('.')
    step_digits = len(step_text.split('.')[1]) if '.' in step_text else 0
    ticks = [(x_of(step * tick), _number(step * tick, step_digits)) for tick in range(int(round(top / step)) + 1)]
    for x, _text in ticks:
        canvas.out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#dddddd"/>' % (x, plot_top - 4, x, plot_bottom))
    return ticks


def _scale(canvas, ticks, plot, value_title):
    """The value axis under the plot: its line, tick values and title."""
    plot_left, _plot_top, plot_bottom, plot_width = plot
    canvas.out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#555555"/>' % (plot_left, plot_bottom, plot_left + plot_width, plot_bottom))
    for x, text in ticks:
        canvas.text(x, plot_bottom + 16, text, text_anchor='middle', fill='#555555')
    canvas.y = plot_bottom + 20
    if value_title:
        canvas.y += LINE
        canvas.text(plot_left + plot_width / 2.0, canvas.y, value_title, text_anchor='middle', font_weight='bold')


def bar_chart(title, series, unit='', digits=2, reference=None, note='', width=720, value_title=None, label_title=None,
              thresholds=(), conditions=''):
    """The SVG text of a horizontal bar chart (see the module docstring for the arguments)."""
    groups = _normalise(series)
    labels = list(dict.fromkeys(label for _name, pairs in groups for label, _value in pairs))
    values = dict(((name, label), value) for name, pairs in groups for label, value in pairs)
    lines = list(thresholds) + ([reference] if reference else [])
    numbers = [value for value in values.values() if value is not None]
    top = _nice_top(max(numbers + [value for value, _text in lines] + [0]))
    title_width = (LINE + 4) if label_title else 0
    label_right = PAD + title_width + CHAR_WIDTH * max([len(str(label)) for label in labels] + [4])
    value_width = CHAR_WIDTH * (max([len(_number(value, digits) + unit) for value in numbers + [top]]) + 1)
    plot_left = label_right + PAD
    plot_width = width - plot_left - PAD - value_width

    def x_of(value):
        return plot_left + plot_width * value / top

    canvas = _Canvas(width)
    for line in wrap(title, int((width - 2 * PAD) / TITLE_CHAR_WIDTH)):
        canvas.y += 20
        canvas.text(PAD, canvas.y, line, 'font-family="sans-serif" font-size="14" font-weight="bold"')
    _legend(canvas, [name for name, _pairs in groups if name is not None])
    placed = _threshold_rows(lines, x_of, width)
    canvas.y += 12 + LINE * (1 + max([p[2] for p in placed] or [-1]))
    plot_top = canvas.y + 4
    plot_bottom = plot_top + (BAR * len(groups) + GAP) * len(labels)
    canvas.y = plot_top
    plot = (plot_left, plot_top, plot_bottom, plot_width)
    ticks = _grid(canvas, top, plot, x_of)
    value_labels = _bars(canvas, groups, labels, values, (plot_left, label_right, x_of), unit, digits)
    _scale(canvas, ticks, plot, value_title)
    for x, label_x, row, _half, text in placed:
        canvas.out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#333333" stroke-width="1.5" stroke-dasharray="5 3"/>'
                          % (x, plot_top - 6 - LINE * row, x, plot_bottom))
        canvas.text(label_x, plot_top - 10 - LINE * row, text, text_anchor='middle', fill='#333333')
    for x, y, text in value_labels:  # over the threshold lines, on a white halo
        canvas.text(x, y, text, stroke='#ffffff', stroke_width='3', paint_order='stroke')
    if label_title:
        middle = (plot_top + plot_bottom) / 2.0
        canvas.text(PAD + LINE - 4, middle, label_title, text_anchor='middle', font_weight='bold',
                    transform='rotate(-90 %.1f %.1f)' % (PAD + LINE - 4, middle))
    canvas.y += 6
    for text in (note, conditions):
        canvas.lines(text, int((width - 2 * PAD) / SMALL_CHAR_WIDTH), SMALL, 15)
    height = int(canvas.y + PAD)
    head = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img">' % (width, height, width, height),
            '<title>%s</title>' % escape(title), '<rect width="100%" height="100%" fill="#ffffff"/>']
    return '\n'.join(head + canvas.out + ['</svg>']) + '\n'


def write_chart(path, title, series, **options):
    """bar_chart(...) written to ``path`` (its folder is created); returns the path."""
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(bar_chart(title, series, **options))
    return path
