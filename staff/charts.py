"""Server-rendered inline SVG charts for the staff pages, as healthchecks draws its badges:
Python computes the geometry, a Django template holds the markup.

Each chart has a `<chart>_geometry` function, pure and typed (no ORM, no request), that turns
the data into small frozen dataclasses: every position, path, class, colour and word, the
accessible title and description included. Its `<chart>_svg` function renders them through
templates/staff/charts/<chart>.svg and returns a SafeString that a page embeds as it is;
Django's autoescaping makes text from data safe.

The root scales to its container (`width="100%"` with a viewBox) and is an accessible image: a
`<title>` names it, a `<desc>` says what the data shows in words, and every data point carries
a `<title>` child with its exact value, which browsers show as a native tooltip. Every element
has a `chart-` class so the page stylesheet can theme it, and also inline default fill/stroke
attributes so a chart looks right where the stylesheet is not loaded (an e-mail, the admin).
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from customers.health import HEALTH_BANDS, health_band

__all__ = [
    "BAR_COLOUR",
    "GRID_COLOUR",
    "HEALTH_BAND_COLOURS",
    "INK_COLOUR",
    "LINE_COLOUR",
    "MUTED_COLOUR",
    "NO_DATA_COLOUR",
    "PANEL_COLOUR",
    "STATUS_COLOURS",
    "STATUS_SOFT_COLOURS",
    "TRACK_COLOUR",
    "Axis",
    "BandColours",
    "Box",
    "Canvas",
    "Chart",
    "EmptyChart",
    "FactorBar",
    "FactorBars",
    "FactorRow",
    "Gauge",
    "GaugeArc",
    "GridLine",
    "Hatch",
    "Histogram",
    "HistogramBin",
    "LegendEntry",
    "LineChart",
    "Marker",
    "Polyline",
    "Reliability",
    "Segment",
    "Text",
    "band_colours",
    "band_legend",
    "factor_bars_geometry",
    "factor_bars_svg",
    "format_number",
    "gauge_geometry",
    "gauge_svg",
    "histogram_geometry",
    "histogram_svg",
    "line_chart_geometry",
    "line_chart_svg",
    "nice_ticks",
    "reliability_geometry",
    "reliability_svg",
    "render_chart",
]

# The palette follows the page's CSS custom properties (staff/static/procx/procx.css),
# with the status colours softened for filled areas: full-strength red bars shout, and these
# pages are meant to be read calmly.
INK_COLOUR = "#1f2933"
MUTED_COLOUR = "#616e7c"
GRID_COLOUR = "#e4e7eb"
AXIS_COLOUR = "#cbd2d9"
TRACK_COLOUR = "#eef1f4"
PANEL_COLOUR = "#ffffff"
LINE_COLOUR = "#3b5bdb"
BAR_COLOUR = "#9aabcf"
NO_DATA_COLOUR = "#b8c2cc"
STATUS_COLOURS: Mapping[str, str] = {"risk": "#d0605e", "watch": "#e09a52", "good": "#4f9d62"}
STATUS_SOFT_COLOURS: Mapping[str, str] = {"risk": "#fdecec", "watch": "#fdf1e3", "good": "#e6f4ea"}


@dataclass(frozen=True)
class BandColours:
    """A band's colours: `fill` for bars and the gauge's arc, `soft` for the gauge's track and
    a badge's background, `ink` for text on `soft` (at least 4.5:1, WCAG AA)."""

    fill: str
    soft: str
    ink: str


# One entry per customers.health.HEALTH_BANDS name. The page stylesheet repeats them for the
# band badges and legend swatches (.band-<name>); tests/staff/test_charts.py checks the
# two agree, cover every band, and that each ink is readable on its soft background. Fair is
# amber, not green: only "healthy" reads as good.
HEALTH_BAND_COLOURS: Mapping[str, BandColours] = {
    "critical": BandColours(fill="#d0605e", soft="#fdecec", ink="#a61b1b"),
    "poor": BandColours(fill="#e09a52", soft="#fdf1e3", ink="#8a4a0b"),
    "fair": BandColours(fill="#d9bd4f", soft="#fbf6dc", ink="#685600"),
    "healthy": BandColours(fill="#4f9d62", soft="#e6f4ea", ink="#1d6b31"),
}

NO_DATA_TEXT = "No data yet"
LABEL_FONT_SIZE = 12
SMALL_FONT_SIZE = 11
# Average advance of a system sans-serif glyph, as a share of the font size. SVG text does not
# wrap or measure itself, so label spacing and truncation work from this estimate.
CHARACTER_WIDTH_EM = 0.56

# Spans longer than this label their date ticks with month and year instead of day and month.
LONG_SPAN_DAYS = 300


@dataclass(frozen=True)
class FactorBar:
    """One factor of a score as factor_bars_svg draws it: the points it earned out of its
    maximum, the input that decided it (`detail`, e.g. "last order 42 days ago"), and whether
    the points are a neutral default because the input was missing (`no_data`)."""

    label: str
    points: float
    maximum: float
    detail: str = ""
    no_data: bool = False


def format_number(value: float) -> str:
    """A number for people: thousands separators, at most two decimals, no trailing zeros."""
    if float(value).is_integer():
        return f"{int(value):,}"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def nice_ticks(low: float, high: float, *, count: int = 5) -> list[float]:
    """About `count` evenly spaced round numbers (steps of 1, 2 or 5 times a power of ten)
    that cover [low, high]: Heckbert's "nice numbers" from Graphics Gems (1990).

    nice_ticks(0, 97) is [0, 20, 40, 60, 80, 100]. A flat range (low == high) is widened
    around its value so the axis still has a scale.
    """
    if count < 2:
        raise ValueError(f"count must be at least 2, not {count}")
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"ticks need finite bounds, not {low!r} and {high!r}")
    low, high = float(min(low, high)), float(max(low, high))
    if low == high:
        # One value has no scale of its own; a tenth of its size either side (one around zero)
        # puts it mid-axis with round neighbours.
        half = abs(low) * 0.1 or 1.0
        low, high = low - half, high + half
    span = _nice_number(high - low, rounded=False)
    step = _nice_number(span / (count - 1), rounded=True)
    decimals = max(0, -math.floor(math.log10(step)))
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    steps = round((last - first) / step)
    # round() removes float noise such as 0.30000000000000004; adding 0.0 turns -0.0 into 0.0.
    return [round(first + index * step, decimals) + 0.0 for index in range(steps + 1)]


@dataclass(frozen=True)
class LegendEntry:
    """One band of a legend: its name, its range in words, how many the chart counts in it
    (None when a bin straddles its edge, so no exact count exists) and its colours."""

    name: str
    range_text: str
    count: int | None
    colours: BandColours


def band_colours(name: str) -> BandColours:
    """The colours of a health band, or of a status band (risk, watch, good) for other gauges."""
    if name in HEALTH_BAND_COLOURS:
        return HEALTH_BAND_COLOURS[name]
    return BandColours(
        fill=STATUS_COLOURS.get(name, LINE_COLOUR), soft=STATUS_SOFT_COLOURS.get(name, TRACK_COLOUR), ink=INK_COLOUR
    )


def band_legend(
    counts: Sequence[int], *, edges: Sequence[float], bands: Sequence[tuple[float, str]] = HEALTH_BANDS
) -> list[LegendEntry]:
    """What a histogram coloured by `bands` needs beside it: each band, its range in words and
    how many of the counts fall in it."""
    bounds = _band_bounds(bands)
    totals: dict[str, int | None] = {name: 0 for _, _, name in bounds}
    for count, lower, upper in zip(counts, edges, edges[1:], strict=False):
        band = _band_holding(bounds, float(lower), float(upper))
        if band is None:  # a straddling bin: neither band it touches has an exact count
            for low, high, name in bounds:
                if low < upper and lower < high:
                    totals[name] = None
        elif totals[band] is not None:
            totals[band] = (totals[band] or 0) + int(count)
    return [
        LegendEntry(name=name, range_text=_band_range_text(low, high), count=totals[name], colours=band_colours(name))
        for low, high, name in bounds
    ]


def _band_bounds(bands: Sequence[tuple[float, str]]) -> list[tuple[float, float, str]]:
    """(lower, upper, name) for each band, as customers.health.health_band reads them: a value
    belongs to the first band whose upper edge it is below, and past the last edge to the last
    band; so the first band has no lower bound and the last no upper one."""
    if not bands:
        raise ValueError("bands need at least one band")
    uppers = [float(upper) for upper, _ in bands]
    if any(b <= a for a, b in itertools.pairwise(uppers)):
        raise ValueError(f"band bounds must increase: {uppers}")
    lowers = [-math.inf, *uppers[:-1]]
    highs = [*uppers[:-1], math.inf]
    return [(low, high, name) for low, high, (_, name) in zip(lowers, highs, bands, strict=True)]


def _band_holding(bounds: Sequence[tuple[float, float, str]], lower: float, upper: float) -> str | None:
    """The band that holds every value from `lower` up to `upper`, or None if an edge splits them."""
    for low, high, name in bounds:
        if low <= lower and upper <= high:
            return name
    return None


def _band_range_text(low: float, high: float) -> str:
    if low == -math.inf:
        return f"under {format_number(high)}"
    if high == math.inf:
        return f"{format_number(low)} and over"
    return f"{format_number(low)} to {format_number(high)}"


# Geometry ------------------------------------------------------------------------------------
# What the templates in templates/staff/charts/ draw. The functions below compute every
# position, path and word; a template only writes them out as SVG, and Django's autoescaping
# makes text from data safe.


class _Rounded:
    """Rounds every float field to hundredths of a unit, as it is built: finer detail is
    invisible, and the templates can then print a number as it is."""

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):  # type: ignore[arg-type]  # only dataclasses mix this in
            value = getattr(self, field.name)
            if isinstance(value, float):
                object.__setattr__(self, field.name, _coordinate(value))


@dataclass(frozen=True)
class Canvas(_Rounded):
    """The root `<svg>`: its kind (class `chart-<kind>`), its size in user units, and the
    `<title>` and `<desc>` that name it and say what it shows, tied to it by ids unique to
    this render."""

    kind: str
    title: str
    description: str
    width: float
    height: float
    identifier: str = dataclasses.field(default_factory=lambda: _new_identifier())
    font_size: float = SMALL_FONT_SIZE


@dataclass(frozen=True)
class Text(_Rounded):
    """A `<text>`: what it says and where, anchored at `x` by `anchor`."""

    content: str
    x: float
    y: float
    css_class: str
    anchor: str = "start"
    size: float = SMALL_FONT_SIZE
    fill: str = MUTED_COLOUR
    weight: int | None = None


@dataclass(frozen=True)
class Segment(_Rounded):
    """A straight `<line>` one unit wide: a gridline, an axis, a tick, the diagonal."""

    css_class: str
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = AXIS_COLOUR
    dasharray: str = ""


@dataclass(frozen=True)
class Box(_Rounded):
    """A `<rect>`: a bar, a track, a shaded band, a hover target or an empty chart's frame."""

    css_class: str
    x: float
    y: float
    width: float
    height: float
    fill: str
    corner: float | None = None
    stroke: str = ""
    stroke_width: float | None = None
    dasharray: str = ""
    fill_opacity: float | None = None


@dataclass(frozen=True)
class GridLine:
    """A value axis's tick: a gridline across the plot and its label at the left."""

    line: Segment
    label: Text


@dataclass(frozen=True)
class Axis:
    """An axis group (class `chart-x-axis` or `chart-y-axis`): its gridlines (a value axis),
    its tick marks and its labels."""

    css_class: str
    gridlines: tuple[GridLine, ...] = ()
    marks: tuple[Segment, ...] = ()
    labels: tuple[Text, ...] = ()


@dataclass(frozen=True)
class Polyline:
    """The line through a chart's points (class `chart-line`)."""

    points: tuple[tuple[float, float], ...]
    stroke: str = LINE_COLOUR

    @property
    def points_text(self) -> str:
        return " ".join(f"{_coordinate(x)},{_coordinate(y)}" for x, y in self.points)


@dataclass(frozen=True)
class Marker(_Rounded):
    """A data point's `<circle>` with its exact figures as a tooltip."""

    css_class: str
    x: float
    y: float
    radius: float
    fill: str
    tooltip: str
    stroke: str = ""
    stroke_width: float | None = None


@dataclass(frozen=True)
class EmptyChart:
    """A chart with no data: its frame at its usual size, so the page does not jump when
    data arrives, and "No data yet" in the middle."""

    canvas: Canvas
    frame: Box
    message: Text
    template_name: ClassVar[str] = "staff/charts/empty.svg"


@dataclass(frozen=True)
class HistogramBin:
    """One bin: a full-height transparent `hit` box (so a short bar is easy to hover), the
    `bar`, the dark `selected` segment at its foot if the bin holds any of the selection, and
    the tooltip with its range, exact count, band and selection."""

    tooltip: str
    hit: Box
    bar: Box
    selected: Box | None


@dataclass(frozen=True)
class Histogram:
    canvas: Canvas
    y_axis: Axis
    bins: tuple[HistogramBin, ...]
    baseline: Segment
    x_axis: Axis
    axis_label: Text | None
    template_name: ClassVar[str] = "staff/charts/histogram.svg"


@dataclass(frozen=True)
class LineChart:
    canvas: Canvas
    band: Box | None
    y_axis: Axis
    baseline: Segment
    x_axis: Axis
    line: Polyline | None
    points: tuple[Marker, ...]
    latest: Text
    template_name: ClassVar[str] = "staff/charts/line_chart.svg"


@dataclass(frozen=True)
class GaugeArc:
    """A stretch of the gauge's half-circle from the share `start` to `end` of its maximum:
    the `<path>` and the points where it starts and ends."""

    css_class: str
    path: str
    start_point: tuple[float, float]
    end_point: tuple[float, float]
    stroke: str
    tooltip: str = ""


@dataclass(frozen=True)
class Gauge(_Rounded):
    canvas: Canvas
    thickness: float
    tracks: tuple[GaugeArc, ...]
    end_labels: tuple[Text, ...]
    value_arc: GaugeArc | None
    number: Text
    caption: Text
    template_name: ClassVar[str] = "staff/charts/gauge.svg"


@dataclass(frozen=True)
class Hatch:
    """The diagonal hatching that fills a factor's track when the factor has no data."""

    identifier: str
    background: str = TRACK_COLOUR
    stroke: str = NO_DATA_COLOUR


@dataclass(frozen=True)
class FactorRow:
    tooltip: str
    label: Text
    track: Box
    fill: Box
    value: Text
    detail: Text | None


@dataclass(frozen=True)
class FactorBars:
    canvas: Canvas
    hatch: Hatch | None
    rows: tuple[FactorRow, ...]
    template_name: ClassVar[str] = "staff/charts/factor_bars.svg"


@dataclass(frozen=True)
class Reliability:
    canvas: Canvas
    y_axis: Axis
    baseline: Segment
    x_axis: Axis
    diagonal: Segment
    line: Polyline | None
    points: tuple[Marker, ...]
    template_name: ClassVar[str] = "staff/charts/reliability.svg"


Chart = EmptyChart | Histogram | LineChart | Gauge | FactorBars | Reliability


def render_chart(chart: Chart) -> SafeString:
    """The chart as inline SVG markup, through its template."""
    return mark_safe(render_to_string(chart.template_name, {"chart": chart}))  # the template escaped it


# Histogram ---------------------------------------------------------------------------------


def histogram_svg(
    counts: Sequence[int],
    *,
    edges: Sequence[float],
    title: str,
    x_label: str = "",
    bands: Sequence[tuple[float, str]] | None = None,
    selected: Sequence[int] | None = None,
    selected_label: str = "in the at-risk list",
) -> SafeString:
    """Vertical bars, one per bin: bin i counts the values between edges[i] and edges[i + 1].

    Every bar has class `chart-bar`. With `bands` ((upper edge, name) pairs, as
    customers.health.HEALTH_BANDS), a bar whose bin lies within one band is drawn in that band's
    colour (class `chart-band-<name>`); a bin that straddles a band edge is drawn neutral
    (class `chart-bar-mixed`), since its values are in two bands. `selected` counts, per bin,
    the values that belong to a selection (the scan's at-risk list): drawn as a dark segment at
    the foot of the bar (class `chart-bar-selected`), at least 3 units tall so that one value
    still shows. Each bin is a `chart-bin` group whose `<title>` gives its range, exact count,
    band and selection, over a full-height transparent rectangle so that even a short bar is
    easy to hover. All-zero or no counts draw "No data yet".
    """
    return render_chart(
        histogram_geometry(
            counts,
            edges=edges,
            title=title,
            x_label=x_label,
            bands=bands,
            selected=selected,
            selected_label=selected_label,
        )
    )


def histogram_geometry(
    counts: Sequence[int],
    *,
    edges: Sequence[float],
    title: str,
    x_label: str = "",
    bands: Sequence[tuple[float, str]] | None = None,
    selected: Sequence[int] | None = None,
    selected_label: str = "in the at-risk list",
) -> Histogram | EmptyChart:
    """What histogram_svg draws."""
    bin_counts = [_count(count) for count in counts]
    edge_values = [float(edge) for edge in edges]
    width, height = 640.0, 200.0
    if bin_counts:
        if len(edge_values) != len(bin_counts) + 1:
            raise ValueError(f"{len(bin_counts)} bins need {len(bin_counts) + 1} edges, not {len(edge_values)}")
        if any(not math.isfinite(edge) for edge in edge_values):
            raise ValueError("bin edges must be finite")
        if any(right <= left for left, right in itertools.pairwise(edge_values)):
            raise ValueError("bin edges must increase")
    selected_counts = [_count(count) for count in selected] if selected is not None else [0] * len(bin_counts)
    if len(selected_counts) != len(bin_counts):
        raise ValueError(f"{len(bin_counts)} bins need {len(bin_counts)} selected counts, not {len(selected_counts)}")
    band_bounds = _band_bounds(bands) if bands is not None else []
    total = sum(bin_counts)
    if total == 0:
        return _empty_chart(kind="histogram", title=title, width=width, height=height)

    y_ticks = _count_ticks(max(bin_counts))
    y_top = y_ticks[-1]
    left = _text_width(max((format_number(tick) for tick in y_ticks), key=len), SMALL_FONT_SIZE) + 10
    top, right = 10.0, 12.0
    bottom = height - (40.0 if x_label else 24.0)
    plot_width, plot_height = width - right - left, bottom - top
    first_edge, last_edge = edge_values[0], edge_values[-1]

    def x_of(edge: float) -> float:
        return left + (edge - first_edge) / (last_edge - first_edge) * plot_width

    bins = []
    band_totals: dict[str, int] = {}
    for index, count in enumerate(bin_counts):
        lower_edge, upper_edge = edge_values[index], edge_values[index + 1]
        bar_left, bar_right = x_of(lower_edge), x_of(upper_edge)
        # A hairline gap separates neighbours; narrow bins keep most of their width.
        gap = min(1.0, (bar_right - bar_left) / 4)
        bar_height = count / y_top * plot_height
        tooltip = f"{format_number(lower_edge)} to {format_number(upper_edge)}: {count:,}"
        bar_class, bar_colour = "chart-bar", BAR_COLOUR
        if bands is not None:
            band = _band_holding(band_bounds, lower_edge, upper_edge)
            if band is None:
                bar_class = "chart-bar chart-bar-mixed"
                tooltip += " (more than one health band)"
            else:
                bar_class, bar_colour = f"chart-bar chart-band-{band}", band_colours(band).fill
                band_totals[band] = band_totals.get(band, 0) + count
                tooltip += f" ({band})"
        segment = None
        if selected_counts[index]:
            tooltip += f", {selected_counts[index]:,} {selected_label}"
            selected_height = max(selected_counts[index] / y_top * plot_height, 3.0)
            segment = Box(
                "chart-bar-selected",
                x=bar_left + gap / 2,
                y=bottom - selected_height,
                width=bar_right - bar_left - gap,
                height=selected_height,
                fill=INK_COLOUR,
            )
        bins.append(
            HistogramBin(
                tooltip=tooltip,
                hit=Box(
                    "chart-bin-hit",
                    x=bar_left,
                    y=top,
                    width=bar_right - bar_left,
                    height=plot_height,
                    fill="transparent",
                ),
                bar=Box(
                    bar_class,
                    x=bar_left + gap / 2,
                    y=bottom - bar_height,
                    width=bar_right - bar_left - gap,
                    height=bar_height,
                    fill=bar_colour,
                ),
                selected=segment,
            )
        )

    bins_in_words = ", ".join(
        f"{count:,} between {format_number(lower_edge)} and {format_number(upper_edge)}"
        for count, lower_edge, upper_edge in zip(bin_counts, edge_values, edge_values[1:], strict=False)
    )
    description = f"{title}, {total:,} in all: {bins_in_words}."
    if bands is not None:
        bands_in_words = ", ".join(
            f"{name} {_band_range_text(low, high)}" + (f" ({band_totals[name]:,})" if name in band_totals else "")
            for low, high, name in band_bounds
        )
        description += f" Colours are health bands: {bands_in_words}."
    if selected is not None:
        description += f" {sum(selected_counts):,} {selected_label}, drawn dark at the foot of their bars."
    return Histogram(
        canvas=Canvas("histogram", title=title, description=description, width=width, height=height),
        y_axis=_value_axis(
            y_ticks,
            y_of=lambda count: bottom - count / y_top * plot_height,
            left=left,
            right=width - right,
            label=format_number,
        ),
        bins=tuple(bins),
        baseline=_baseline(left, width - right, bottom),
        x_axis=_edge_axis(edge_values, x_of=x_of, baseline=bottom),
        axis_label=(
            Text(x_label, x=left + plot_width / 2, y=height - 6, css_class="chart-axis-label", anchor="middle")
            if x_label
            else None
        ),
    )


# Line chart --------------------------------------------------------------------------------


def line_chart_svg(
    points: Sequence[tuple[datetime.datetime | datetime.date, float]],
    *,
    title: str,
    value_format: Callable[[float], str] = format_number,
    y_min: float | None = None,
    y_max: float | None = None,
    annotations: Sequence[str | None] | None = None,
    band: tuple[float, float] | None = None,
) -> SafeString:
    """A value over time: a polyline with a circle per point (class `chart-point`).

    Points are drawn in chronological order whatever order they come in; `annotations`, when
    given, align with `points` as passed and say what moved at that point ("Recency -8,
    Support +3"). Each circle's `<title>` is "date: value", followed by its annotation; an
    annotated point is a larger ring (classes `chart-point chart-point-moved`).

    `y_min` / `y_max` fix the value axis (they are widened rather than hide a point outside
    them); `band` shades a horizontal zone such as the at-risk scores (class `chart-band`).
    Aware datetimes are placed by their own wall-clock time: convert them to the display time
    zone first (django.utils.timezone.localtime).
    """
    return render_chart(
        line_chart_geometry(
            points, title=title, value_format=value_format, y_min=y_min, y_max=y_max, annotations=annotations, band=band
        )
    )


def line_chart_geometry(
    points: Sequence[tuple[datetime.datetime | datetime.date, float]],
    *,
    title: str,
    value_format: Callable[[float], str] = format_number,
    y_min: float | None = None,
    y_max: float | None = None,
    annotations: Sequence[str | None] | None = None,
    band: tuple[float, float] | None = None,
) -> LineChart | EmptyChart:
    """What line_chart_svg draws."""
    if annotations is not None and len(annotations) != len(points):
        raise ValueError(f"{len(annotations)} annotations for {len(points)} points: they must align")
    if y_min is not None and y_max is not None and y_min > y_max:
        raise ValueError(f"y_min ({y_min}) is above y_max ({y_max})")
    if band is not None and band[0] > band[1]:
        raise ValueError(f"a band runs from low to high, not {band[0]} to {band[1]}")
    rows = []
    for index, (moment, value) in enumerate(points):
        if not math.isfinite(value):
            raise ValueError(f"point {index} has no finite value ({value!r})")
        annotation = (annotations[index] or "").strip() if annotations is not None else ""
        rows.append((_day_number(moment), moment, float(value), annotation))
    # Sorting on the day number alone keeps points at the same moment in the caller's order.
    rows.sort(key=lambda row: row[0])
    width, height = 640.0, 220.0
    if not rows:
        return _empty_chart(kind="line-chart", title=title, width=width, height=height)

    values = [row[2] for row in rows]
    lowest, highest = min(values), max(values)
    axis_low = lowest if y_min is None else min(y_min, lowest)
    axis_high = highest if y_max is None else max(y_max, highest)
    y_ticks = _axis_ticks(axis_low, axis_high)
    domain_low = y_min if y_min is not None and y_min <= lowest else y_ticks[0]
    domain_high = y_max if y_max is not None and y_max >= highest else y_ticks[-1]
    if domain_high <= domain_low:
        domain_low, domain_high = y_ticks[0], y_ticks[-1]
    tolerance = (domain_high - domain_low) * 1e-9
    y_ticks = [tick for tick in y_ticks if domain_low - tolerance <= tick <= domain_high + tolerance]

    left = _text_width(max((value_format(tick) for tick in y_ticks), key=len, default=""), SMALL_FONT_SIZE) + 12
    top, right, bottom = 18.0, 16.0, height - 24.0
    plot_width, plot_height = width - right - left, bottom - top
    first_day, last_day = rows[0][0], rows[-1][0]

    def x_of(day: float) -> float:
        if last_day == first_day:
            return left + plot_width / 2
        return left + (day - first_day) / (last_day - first_day) * plot_width

    def y_of(value: float) -> float:
        return bottom - (value - domain_low) / (domain_high - domain_low) * plot_height

    shaded = None
    if band is not None:
        band_low, band_high = max(band[0], domain_low), min(band[1], domain_high)
        if band_low < band_high:
            shaded = Box(
                "chart-band",
                x=left,
                y=y_of(band_high),
                width=plot_width,
                height=y_of(band_low) - y_of(band_high),
                fill=STATUS_SOFT_COLOURS["risk"],
            )
    date_ticks = _date_ticks(first_day, last_day)
    coordinates = [(x_of(day), y_of(value)) for day, _, value, _ in rows]
    markers = []
    for (x, y), (_, moment, value, annotation) in zip(coordinates, rows, strict=True):
        tooltip = f"{_full_date(moment)}: {value_format(value)}"
        if annotation:
            # An annotated point is a hollow ring, larger than the plain dots, so the eye finds
            # the changes that have an explanation.
            tooltip += f" — {annotation}"
            markers.append(
                Marker(
                    "chart-point chart-point-moved",
                    x,
                    y,
                    radius=4,
                    fill=PANEL_COLOUR,
                    tooltip=tooltip,
                    stroke=LINE_COLOUR,
                    stroke_width=1.5,
                )
            )
        else:
            markers.append(
                Marker(
                    "chart-point", x, y, radius=2.5, fill=LINE_COLOUR, tooltip=tooltip, stroke="none", stroke_width=1.5
                )
            )
    # The latest value is the one staff act on, so it is written out, not only hovered.
    last_x, last_y = coordinates[-1]
    latest = Text(
        value_format(rows[-1][2]),
        x=last_x,
        y=last_y - 8,
        css_class="chart-value-label",
        anchor="end" if len(rows) > 1 else "middle",
        fill="currentColor",
        weight=600,
    )

    if len(rows) == 1:
        description = f"{title}: one point, {value_format(values[0])} on {_full_date(rows[0][1])}."
    else:
        lowest_row = min(rows, key=lambda row: row[2])
        highest_row = max(rows, key=lambda row: row[2])
        description = (
            f"{title}: {len(rows):,} points from {_full_date(rows[0][1])} to {_full_date(rows[-1][1])}. "
            f"Latest {value_format(rows[-1][2])}; lowest {value_format(lowest_row[2])} on {_full_date(lowest_row[1])}; "
            f"highest {value_format(highest_row[2])} on {_full_date(highest_row[1])}."
        )
    annotated = sum(1 for row in rows if row[3])
    if annotated:
        description += f" {annotated:,} {'change is' if annotated == 1 else 'changes are'} explained."
    if band is not None:
        description += f" Shaded zone from {value_format(band[0])} to {value_format(band[1])}."
    return LineChart(
        canvas=Canvas("line-chart", title=title, description=description, width=width, height=height),
        band=shaded,
        y_axis=_value_axis(y_ticks, y_of=y_of, left=left, right=width - right, label=value_format),
        baseline=_baseline(left, width - right, bottom),
        x_axis=Axis(
            "chart-x-axis",
            marks=tuple(_tick_mark(x_of(day), bottom) for day, _ in date_ticks),
            labels=tuple(
                Text(label, x=x_of(day), y=bottom + 16, css_class="chart-tick-label", anchor="middle")
                for day, label in date_ticks
            ),
        ),
        line=Polyline(tuple(coordinates)) if len(coordinates) > 1 else None,
        points=tuple(markers),
        latest=latest,
    )


# Gauge -------------------------------------------------------------------------------------


def gauge_svg(
    value: float | None,
    *,
    maximum: float = 100,
    title: str,
    bands: Sequence[tuple[float, str]] = HEALTH_BANDS,
) -> SafeString:
    """A half-circle gauge: a muted track in the bands' colours, the value as an arc over it
    in its band's colour (classes `chart-gauge-value chart-gauge-<band>`), and the value
    rounded to a whole number in the middle with "of <maximum>" below.

    `bands` are (upper bound, name) pairs in increasing order, the health bands by default; a
    value belongs to the first band whose upper bound it is below, else to the last, the rule
    of customers.health.health_band. None, or NaN (how a missing score arrives from pandas),
    draws "—" and "no score yet".
    """
    return render_chart(gauge_geometry(value, maximum=maximum, title=title, bands=bands))


def gauge_geometry(
    value: float | None,
    *,
    maximum: float = 100,
    title: str,
    bands: Sequence[tuple[float, str]] = HEALTH_BANDS,
) -> Gauge:
    """What gauge_svg draws."""
    if not maximum > 0 or not math.isfinite(maximum):
        raise ValueError(f"maximum must be a positive number, not {maximum!r}")
    if not bands:
        raise ValueError("a gauge needs at least one band")
    uppers = [float(upper) for upper, _ in bands]
    if any(upper <= 0 for upper in uppers) or any(b <= a for a, b in itertools.pairwise(uppers)):
        raise ValueError(f"band bounds must be positive and increase: {uppers}")
    if value is not None and math.isnan(value):
        value = None

    width, radius, thickness = 220.0, 86.0, 14.0
    centre_x, centre_y = width / 2, radius + thickness / 2 + 4
    height = centre_y + 20

    def arc(start: float, end: float, css_class: str, stroke: str, tooltip: str = "") -> GaugeArc:
        start_point, end_point = (
            _arc_point(centre_x, centre_y, radius, start),
            _arc_point(centre_x, centre_y, radius, end),
        )
        # Never more than half a turn, so the small arc is the right one; sweep 1 runs clockwise
        # on screen, from the left end over the top to the right.
        path = (
            f"M {_coordinate(start_point[0])} {_coordinate(start_point[1])} "
            f"A {_coordinate(radius)} {_coordinate(radius)} 0 0 1 {_coordinate(end_point[0])} {_coordinate(end_point[1])}"
        )
        return GaugeArc(css_class, path, start_point, end_point, stroke=stroke, tooltip=tooltip)

    tracks = []
    lower = 0.0
    for upper, name in bands:
        start, end = _share(lower, maximum), _share(upper, maximum)
        if end > start:
            tracks.append(
                arc(
                    start,
                    end,
                    f"chart-gauge-track chart-gauge-track-{name}",
                    band_colours(name).soft,
                    f"{name}: {format_number(lower)} to {format_number(upper)}",
                )
            )
        lower = float(upper)
    if lower < maximum:
        tracks.append(arc(_share(lower, maximum), 1.0, "chart-gauge-track", TRACK_COLOUR))
    end_labels = tuple(
        Text(format_number(end_value), x=anchor_x, y=centre_y + 16, css_class="chart-tick-label", anchor="middle")
        for end_value, anchor_x in ((0.0, centre_x - radius), (float(maximum), centre_x + radius))
    )

    of_maximum = f"of {format_number(maximum)}"
    if value is None:
        value_arc = None
        number = Text(
            "—",
            x=centre_x,
            y=centre_y - 14,
            css_class="chart-gauge-number chart-gauge-empty",
            anchor="middle",
            size=30,
            fill=MUTED_COLOUR,
        )
        caption = Text("no score yet", x=centre_x, y=centre_y + 4, css_class="chart-gauge-caption", anchor="middle")
        description = f"{title}: no score yet."
    else:
        band_name = next((name for upper, name in bands if value < upper), bands[-1][1])
        value_arc = arc(
            0.0,
            _share(value, maximum),
            f"chart-gauge-value chart-gauge-{band_name}",
            band_colours(band_name).fill,
            f"{format_number(value)} {of_maximum} ({band_name})",
        )
        shown = f"{_round_half_up(value):,}"
        number = Text(
            shown,
            x=centre_x,
            y=centre_y - 14,
            css_class="chart-gauge-number",
            anchor="middle",
            size=30,
            fill="currentColor",
            weight=600,
        )
        caption = Text(of_maximum, x=centre_x, y=centre_y + 4, css_class="chart-gauge-caption", anchor="middle")
        description = f"{title}: {shown} {of_maximum} ({band_name})."
    return Gauge(
        canvas=Canvas("gauge", title=title, description=description, width=width, height=height),
        thickness=thickness,
        tracks=tuple(tracks),
        end_labels=end_labels,
        value_arc=value_arc,
        number=number,
        caption=caption,
    )


# Factor bars -------------------------------------------------------------------------------


def factor_bars_svg(factors: Sequence[FactorBar], *, title: str) -> SafeString:
    """One horizontal bar per factor: the label (and under it, in small muted text, the
    input that decided it), a track as long as the factor's maximum relative to the largest
    maximum, a fill as long as its points, and "points / maximum" at the right.

    The fill's class says how the factor is doing, on the health bands applied to its share of
    its maximum (`chart-bar-critical` below 40 %, then poor, fair, and `chart-bar-healthy` from
    75 %), in the bands' colours. A factor without data has a dashed,
    hatched track and a grey fill (`chart-bar-no-data`) and says "(no data)" after its points,
    since those points are a default and not earned.
    """
    return render_chart(factor_bars_geometry(factors, title=title))


def factor_bars_geometry(factors: Sequence[FactorBar], *, title: str) -> FactorBars | EmptyChart:
    """What factor_bars_svg draws."""
    width = 640.0
    if not factors:
        return _empty_chart(kind="factor-bars", title=title, width=width, height=80.0)
    for factor in factors:
        if not (factor.maximum > 0 and math.isfinite(factor.maximum)):
            raise ValueError(f"factor {factor.label!r} needs a positive maximum, not {factor.maximum!r}")
        if not math.isfinite(factor.points):
            raise ValueError(f"factor {factor.label!r} has no finite points ({factor.points!r})")

    identifier = _new_identifier()
    hatch = Hatch(f"{identifier}-hatch") if any(factor.no_data for factor in factors) else None
    value_texts = [
        f"{format_number(factor.points)} / {format_number(factor.maximum)}" + (" (no data)" if factor.no_data else "")
        for factor in factors
    ]
    label_column = 170.0
    track_left = label_column + 10
    track_right = width - _text_width(max(value_texts, key=len), SMALL_FONT_SIZE) - 12
    largest_maximum = max(factor.maximum for factor in factors)
    label_limit = int(label_column / (LABEL_FONT_SIZE * CHARACTER_WIDTH_EM))
    # The detail has its own line under the label, so it may run under the track too.
    detail_limit = int(width / (SMALL_FONT_SIZE * CHARACTER_WIDTH_EM))

    rows = []
    row_top = 4.0
    for factor, value_text in zip(factors, value_texts, strict=True):
        track_width = factor.maximum / largest_maximum * (track_right - track_left)
        share = min(max(factor.points / factor.maximum, 0.0), 1.0)
        if factor.no_data:
            fill_class, fill_colour = "chart-bar-no-data", NO_DATA_COLOUR
        else:
            # A factor's share of its own maximum is graded like a score out of 100, on the one
            # set of bands: the bars read in the same colours as the gauge and the badges.
            band = health_band(share * 100)
            fill_class, fill_colour = f"chart-bar-{band}", HEALTH_BAND_COLOURS[band].fill
        if hatch is not None and factor.no_data:
            track = Box(
                "chart-factor-track chart-factor-track-no-data",
                x=track_left,
                y=row_top + 5,
                width=track_width,
                height=10,
                corner=2,
                fill=f"url(#{hatch.identifier})",
                stroke=MUTED_COLOUR,
                stroke_width=0.75,
                dasharray="3 2",
            )
        else:
            track = Box(
                "chart-factor-track",
                x=track_left,
                y=row_top + 5,
                width=track_width,
                height=10,
                corner=2,
                fill=TRACK_COLOUR,
            )
        rows.append(
            FactorRow(
                tooltip=f"{factor.label}: {value_text}" + (f" — {factor.detail}" if factor.detail else ""),
                label=Text(
                    _truncate(factor.label, label_limit),
                    x=0,
                    y=row_top + 14,
                    css_class="chart-factor-label",
                    size=LABEL_FONT_SIZE,
                    fill="currentColor",
                ),
                track=track,
                fill=Box(
                    f"chart-factor-fill {fill_class}",
                    x=track_left,
                    y=row_top + 5,
                    width=share * track_width,
                    height=10,
                    corner=2,
                    fill=fill_colour,
                    fill_opacity=0.6 if factor.no_data else 1,
                ),
                value=Text(value_text, x=width - 4, y=row_top + 14, css_class="chart-factor-value", anchor="end"),
                detail=(
                    Text(_truncate(factor.detail, detail_limit), x=0, y=row_top + 29, css_class="chart-factor-detail")
                    if factor.detail
                    else None
                ),
            )
        )
        row_top += 36 if factor.detail else 22

    total_points = sum(factor.points for factor in factors)
    total_maximum = sum(factor.maximum for factor in factors)
    factors_in_words = "; ".join(
        f"{factor.label} {format_number(factor.points)} of {format_number(factor.maximum)}"
        + (" (no data)" if factor.no_data else "")
        + (f", {factor.detail}" if factor.detail else "")
        for factor in factors
    )
    description = (
        f"{title}, {format_number(total_points)} of {format_number(total_maximum)} points: {factors_in_words}."
    )
    return FactorBars(
        canvas=Canvas(
            "factor-bars",
            title=title,
            description=description,
            width=width,
            height=row_top + 2,
            identifier=identifier,
        ),
        hatch=hatch,
        rows=tuple(rows),
    )


# Reliability curve -------------------------------------------------------------------------


def reliability_svg(points: Sequence[Mapping[str, float]], *, title: str) -> SafeString:
    """A reliability curve: each bin's mean predicted risk (x) against the churn rate seen in it (y),
    both 0-100 %, beside the diagonal a perfectly calibrated model would follow.

    `points` are the churn model's stored bins ({"predicted", "observed", "count"}, as
    customers.churn.reliability_curve gives them). Each point's `<title>` says its figures, and
    the description says how far the model is from the diagonal, so the chart reads without sight.
    """
    return render_chart(reliability_geometry(points, title=title))


def reliability_geometry(points: Sequence[Mapping[str, float]], *, title: str) -> Reliability | EmptyChart:
    """What reliability_svg draws."""
    width, height = 360.0, 300.0
    rows = []
    for index, point in enumerate(points):
        predicted, observed, count = float(point["predicted"]), float(point["observed"]), int(point["count"])
        if not (0 <= predicted <= 1 and 0 <= observed <= 1) or count < 0:
            raise ValueError(f"bin {index} is not a share of 0 to 1 with a count: {point!r}")
        rows.append((predicted, observed, count))
    if not rows:
        return _empty_chart(kind="reliability", title=title, width=width, height=height)

    left, top, right, bottom = 44.0, 16.0, width - 16.0, height - 40.0
    ticks = [0.0, 0.25, 0.5, 0.75, 1.0]

    def x_of(share: float) -> float:
        return left + share * (right - left)

    def y_of(share: float) -> float:
        return bottom - share * (bottom - top)

    def percent(share: float) -> str:
        return f"{format_number(share * 100)} %"

    coordinates = [(x_of(predicted), y_of(observed)) for predicted, observed, _ in rows]
    customers = sum(count for _, _, count in rows)
    gap = sum(abs(predicted - observed) * count for predicted, observed, count in rows) / max(customers, 1)
    description = (
        f"{title}: {len(rows)} bins of held-out customers ({customers:,} in all), predicted risk against the "
        f"share that churned. On average a bin's prediction is {gap * 100:.0f} points from what "
        "happened; the dashed diagonal is where a perfectly calibrated model's bins would lie."
    )
    return Reliability(
        canvas=Canvas("reliability", title=title, description=description, width=width, height=height),
        y_axis=_value_axis(ticks, y_of=y_of, left=left, right=right, label=percent),
        baseline=_baseline(left, right, bottom),
        x_axis=Axis(
            "chart-x-axis",
            marks=tuple(_tick_mark(x_of(tick), bottom) for tick in ticks),
            labels=(
                *(
                    Text(percent(tick), x=x_of(tick), y=bottom + 16, css_class="chart-tick-label", anchor="middle")
                    for tick in ticks
                ),
                Text(
                    "predicted risk", x=(left + right) / 2, y=bottom + 32, css_class="chart-axis-label", anchor="middle"
                ),
            ),
        ),
        diagonal=Segment("chart-diagonal", x_of(0), y_of(0), x_of(1), y_of(1), dasharray="4 3"),
        line=Polyline(tuple(coordinates)) if len(coordinates) > 1 else None,
        points=tuple(
            Marker(
                "chart-point",
                x,
                y,
                radius=3,
                fill=LINE_COLOUR,
                tooltip=f"predicted {percent(predicted)}, churned {percent(observed)} of {count:,} customers",
            )
            for (x, y), (predicted, observed, count) in zip(coordinates, rows, strict=True)
        ),
    )


# Building blocks ---------------------------------------------------------------------------


def _new_identifier() -> str:
    # Several charts share a page and an HTMX swap can bring in one rendered by another worker,
    # so element ids come from a random token rather than a per-process counter.
    return f"chart-{uuid.uuid4().hex[:10]}"


def _coordinate(value: float) -> float:
    """A coordinate to hundredths, whole numbers as ints, so "12" rather than "12.0"."""
    rounded = round(float(value), 2) + 0.0  # adding 0.0 turns -0.0 into 0.0
    return int(rounded) if rounded.is_integer() else rounded


def _empty_chart(*, kind: str, title: str, width: float, height: float) -> EmptyChart:
    return EmptyChart(
        canvas=Canvas(kind, title=title, description=f"{title}: no data yet.", width=width, height=height),
        frame=Box(
            "chart-frame",
            x=0.5,
            y=0.5,
            width=width - 1,
            height=height - 1,
            corner=4,
            fill="none",
            stroke=GRID_COLOUR,
            dasharray="4 3",
        ),
        message=Text(
            NO_DATA_TEXT, x=width / 2, y=height / 2 + 4, css_class="chart-empty", anchor="middle", size=LABEL_FONT_SIZE
        ),
    )


def _value_axis(
    ticks: Sequence[float],
    *,
    y_of: Callable[[float], float],
    left: float,
    right: float,
    label: Callable[[float], str],
) -> Axis:
    return Axis(
        "chart-y-axis",
        gridlines=tuple(
            GridLine(
                line=Segment("chart-grid", left, y_of(tick), right, y_of(tick), stroke=GRID_COLOUR),
                label=Text(label(tick), x=left - 6, y=y_of(tick) + 4, css_class="chart-tick-label", anchor="end"),
            )
            for tick in ticks
        ),
    )


def _baseline(left: float, right: float, y: float) -> Segment:
    return Segment("chart-axis", left, y, right, y)


def _tick_mark(x: float, baseline: float) -> Segment:
    return Segment("chart-tick", x, baseline, x, baseline + 4)


def _edge_axis(edges: Sequence[float], *, x_of: Callable[[float], float], baseline: float) -> Axis:
    """A tick at every bin edge, labelled where the label fits: greedily from the left, and
    the last edge always, dropping the label before it if the two would touch."""
    labels = [format_number(edge) for edge in edges]
    needed = _text_width(max(labels, key=len), SMALL_FONT_SIZE) + 6
    labelled: list[int] = []
    for index, edge in enumerate(edges):
        if not labelled or x_of(edge) - x_of(edges[labelled[-1]]) >= needed:
            labelled.append(index)
    last = len(edges) - 1
    if labelled[-1] != last:
        if len(labelled) > 1 and x_of(edges[last]) - x_of(edges[labelled[-1]]) < needed:
            labelled.pop()
        labelled.append(last)
    return Axis(
        "chart-x-axis",
        marks=tuple(_tick_mark(x_of(edge), baseline) for edge in edges),
        labels=tuple(
            Text(labels[index], x=x_of(edges[index]), y=baseline + 16, css_class="chart-tick-label", anchor="middle")
            for index in labelled
        ),
    )


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHARACTER_WIDTH_EM


def _truncate(text: str, limit: int) -> str:
    # The full text stays in the row's <title>, so cutting the visible copy loses nothing.
    return text if len(text) <= limit else text[: max(limit - 1, 1)].rstrip() + "…"


# Numbers and dates ---------------------------------------------------------------------------


def _nice_number(value: float, *, rounded: bool) -> float:
    exponent = math.floor(math.log10(value))
    fraction = value / 10.0**exponent
    if rounded:
        nice = 1 if fraction < 1.5 else 2 if fraction < 3 else 5 if fraction < 7 else 10
    else:
        nice = 1 if fraction <= 1 else 2 if fraction <= 2 else 5 if fraction <= 5 else 10
    return nice * 10.0**exponent


def _axis_ticks(low: float, high: float) -> list[float]:
    """Nice ticks for a value axis: between three and five of them, as many as possible, so
    a small chart gets a few gridlines and not a ladder."""
    candidates = [nice_ticks(low, high, count=count) for count in (3, 4, 5, 6)]
    fitting = [ticks for ticks in candidates if 3 <= len(ticks) <= 5]
    return max(fitting, key=len) if fitting else candidates[-1]


def _count_ticks(highest: int) -> list[float]:
    """Ticks for a count axis from zero: whole numbers only, three to five of them."""
    if highest <= 4:
        return [float(tick) for tick in range(max(highest, 2) + 1)]
    candidates = [nice_ticks(0, highest, count=count) for count in (3, 4, 5, 6)]
    whole = [ticks for ticks in candidates if ticks[1] - ticks[0] >= 1 and 3 <= len(ticks) <= 5]
    return max(whole, key=len) if whole else candidates[1]


def _count(value: int) -> int:
    count = int(value)
    if count != value or count < 0:
        raise ValueError(f"a bin count must be a whole number of at least zero, not {value!r}")
    return count


def _round_half_up(value: float) -> int:
    # Half up, like the templates' floatformat, so the gauge and a table show the same number.
    return int(Decimal(repr(float(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _share(value: float, maximum: float) -> float:
    return min(max(value / maximum, 0.0), 1.0)


def _arc_point(centre_x: float, centre_y: float, radius: float, share: float) -> tuple[float, float]:
    """The point of the upper half-circle at `share` of the way round: 0 at the left, 1 at the right."""
    angle = math.pi * (1 - share)
    return (_coordinate(centre_x + radius * math.cos(angle)), _coordinate(centre_y - radius * math.sin(angle)))


def _day_number(moment: datetime.datetime | datetime.date) -> float:
    """Days since 1 January of year 1, with the time of day as a fraction; dates and datetimes
    compare directly, which Python refuses to do with the objects themselves."""
    if isinstance(moment, datetime.datetime):
        seconds = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
        return moment.toordinal() + seconds / 86400
    return float(moment.toordinal())


def _full_date(moment: datetime.datetime | datetime.date) -> str:
    if isinstance(moment, datetime.datetime) and (moment.hour, moment.minute, moment.second) != (0, 0, 0):
        return moment.strftime("%d %b %Y %H:%M")
    return moment.strftime("%d %b %Y")


def _date_ticks(first_day: float, last_day: float) -> list[tuple[float, str]]:
    """Three to six calendar-aligned date ticks across the span: every day, second day, Monday
    or second Monday for short spans, else the first of every 1, 2, 3, 6, 12 ... months."""
    span = last_day - first_day
    label_format = "%b %Y" if span > LONG_SPAN_DAYS else "%d %b"
    first_whole, last_whole = math.ceil(first_day), math.floor(last_day)
    candidates: list[list[int]] = []
    if span <= LONG_SPAN_DAYS:
        for step in (1, 2, 7, 14):
            if span / step <= 7:
                # Ordinal 1 (1 January of year 1) was a Monday, so this aligns weeks to Mondays.
                candidates.append([day for day in range(first_whole, last_whole + 1) if (day - 1) % step == 0])
    first_date, last_date = datetime.date.fromordinal(first_whole), datetime.date.fromordinal(max(last_whole, 1))
    first_month = first_date.year * 12 + first_date.month - 1
    last_month = last_date.year * 12 + last_date.month - 1
    for step in (1, 2, 3, 6, 12, 24, 60, 120, 240):
        if (last_month - first_month) / step <= 8:
            days = [
                datetime.date(month // 12, month % 12 + 1, 1).toordinal()
                for month in range(first_month, last_month + 1)
                if month % step == 0
            ]
            candidates.append([day for day in days if first_day <= day <= last_day])
    chosen = next((ticks for ticks in candidates if 3 <= len(ticks) <= 6), None)
    if chosen is None:
        fitting = [ticks for ticks in candidates if 2 <= len(ticks) <= 6]
        chosen = max(fitting, key=len) if fitting else None
    if chosen is None:
        # Too short a span for calendar ticks (points within a day): label the two ends.
        ends = [first_day, last_day] if last_day > first_day else [first_day]
        labels = [datetime.date.fromordinal(math.floor(day)).strftime(label_format) for day in ends]
        if len(labels) == 2 and labels[0] == labels[1]:
            return [((first_day + last_day) / 2, labels[0])]
        return list(zip(ends, labels, strict=True))
    return [(float(day), datetime.date.fromordinal(day).strftime(label_format)) for day in chosen]
