"""The charts' geometry (staff/charts.py, pure) and their templates (templates/staff/charts/).

tests/staff/test_charts.py reads the rendered SVG the way a browser would; these tests call
the geometry functions directly, render every template on its own, and check that text from
data is escaped by the templates and numbers are never localised into the markup.
"""

from __future__ import annotations

import datetime
import inspect
import math
import xml.etree.ElementTree as ElementTree

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from customers.health import HEALTH_BANDS
from staff.charts import (
    HEALTH_BAND_COLOURS,
    Box,
    EmptyChart,
    FactorBar,
    FactorBars,
    Gauge,
    Histogram,
    LineChart,
    Reliability,
    Text,
    band_legend,
    factor_bars_geometry,
    factor_bars_svg,
    gauge_geometry,
    gauge_svg,
    histogram_geometry,
    histogram_svg,
    line_chart_geometry,
    line_chart_svg,
    reliability_geometry,
    reliability_svg,
    render_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
DAY = datetime.date(2025, 3, 3)
RELIABILITY_BINS = [
    {"predicted": 0.1, "observed": 0.15, "count": 40},
    {"predicted": 0.5, "observed": 0.5, "count": 20},
    {"predicted": 0.9, "observed": 0.7, "count": 10},
]
# What a customer's name or a factor's detail could hold: markup, an ampersand and both quotes.
HOSTILE = """<script>alert("x")</script> O'Brien & "Sons" </title></svg>"""


def parse(markup: str) -> ElementTree.Element:
    root = ElementTree.fromstring(str(markup))
    assert root.tag == f"{SVG}svg"
    return root


def with_class(root: ElementTree.Element, css_class: str) -> list[ElementTree.Element]:
    return [element for element in root.iter() if css_class in element.get("class", "").split()]


# Every template renders well-formed SVG --------------------------------------------------

EVERY_GEOMETRY = {
    "histogram": lambda: histogram_geometry(
        [3, 5, 0, 9], edges=[0, 40, 60, 75, 100], title="H", x_label="score", bands=HEALTH_BANDS, selected=[1, 0, 0, 0]
    ),
    "line chart": lambda: line_chart_geometry(
        [(DAY, 50.0), (DAY + datetime.timedelta(days=9), 35.0)],
        title="L",
        annotations=[None, "Recency -15"],
        band=(0, 40),
    ),
    "gauge": lambda: gauge_geometry(62.5, title="G"),
    "gauge without a score": lambda: gauge_geometry(None, title="G"),
    "factor bars": lambda: factor_bars_geometry(
        [FactorBar("Recency", 5, 15, "last order 42 days ago"), FactorBar("NPS", 2.5, 5, no_data=True)], title="F"
    ),
    "reliability": lambda: reliability_geometry(RELIABILITY_BINS, title="R"),
    "empty": lambda: histogram_geometry([], edges=[], title="E"),
}


@pytest.mark.parametrize("build", EVERY_GEOMETRY.values(), ids=EVERY_GEOMETRY.keys())
def test_each_charts_template_renders_well_formed_svg_with_its_title_and_description(build) -> None:
    chart = build()
    root = parse(render_to_string(chart.template_name, {"chart": chart}))

    assert root.get("class") == f"chart chart-{chart.canvas.kind}"
    assert root.get("role") == "img"
    assert root[0].tag == f"{SVG}title"
    assert root[0].text == chart.canvas.title
    assert root[0].get("id") == root.get("aria-labelledby") == f"{chart.canvas.identifier}-title"
    assert root[1].tag == f"{SVG}desc"
    assert root[1].text == chart.canvas.description
    assert root[1].get("id") == root.get("aria-describedby") == f"{chart.canvas.identifier}-desc"
    assert root.get("viewBox") == f"0 0 {chart.canvas.width} {chart.canvas.height}"


def test_the_geometry_functions_return_their_charts_and_an_empty_chart_without_data() -> None:
    assert isinstance(EVERY_GEOMETRY["histogram"](), Histogram)
    assert isinstance(EVERY_GEOMETRY["line chart"](), LineChart)
    assert isinstance(EVERY_GEOMETRY["gauge"](), Gauge)
    assert isinstance(EVERY_GEOMETRY["factor bars"](), FactorBars)
    assert isinstance(EVERY_GEOMETRY["reliability"](), Reliability)
    for empty in (
        histogram_geometry([0, 0], edges=[0, 1, 2], title="E"),
        line_chart_geometry([], title="E"),
        factor_bars_geometry([], title="E"),
        reliability_geometry([], title="E"),
    ):
        assert isinstance(empty, EmptyChart)
        assert empty.message.content == "No data yet"


def test_coordinates_are_kept_to_hundredths_and_whole_numbers_print_without_a_decimal_point() -> None:
    text = Text("x", x=1 / 3, y=-0.001, css_class="chart-tick-label")
    box = Box("chart-bar", x=14.0, y=2.005, width=0.996, height=3, fill="red")

    assert (text.x, text.y) == (0.33, 0)
    assert str(box.x) == "14"
    assert str(box.width) == "1"
    assert 'x="0.33" y="0"' in render_to_string("staff/charts/_text.svg", {"text": text})


@pytest.mark.parametrize("language", ["de", "fr", "ar"])
def test_numbers_in_the_markup_are_not_localised_in_any_language(language: str) -> None:
    with translation.override(language):
        markup = histogram_svg([1234, 56], edges=[0, 50.5, 100], title="H")
        gauge = gauge_svg(62.5, title="G")

    for root in (parse(markup), parse(gauge)):
        for element in list(root.iter())[1:]:  # the root's width is "100%"
            for name in ("x", "y", "width", "height", "x1", "x2", "y1", "y2", "stroke-width", "font-size"):
                if element.get(name) is not None:
                    float(element.get(name))  # "12,5" or an Arabic digit would raise
        assert all(float(number) >= 0 for number in root.get("viewBox").split())


# Histogram ---------------------------------------------------------------------------------


def test_a_histogram_bars_height_is_proportional_to_its_count_on_a_common_baseline() -> None:
    counts = [12, 0, 30, 50, 7]
    chart = histogram_geometry(counts, edges=[0, 20, 40, 60, 80, 100], title="H")
    bars = [chart_bin.bar for chart_bin in chart.bins]

    assert bars[1].height == 0
    per_count = {round(bar.height / count, 1) for bar, count in zip(bars, counts, strict=True) if count}
    assert len(per_count) == 1
    assert {round(bar.y + bar.height, 1) for bar in bars} == {chart.baseline.y1}


def test_a_histogram_bin_is_as_wide_as_its_range_and_its_hit_area_spans_the_plot() -> None:
    chart = histogram_geometry([5, 5], edges=[0, 25, 100], title="H")
    narrow, wide = chart.bins

    assert (wide.hit.width / narrow.hit.width) == pytest.approx(3, rel=0.01)
    assert narrow.hit.x + narrow.hit.width == pytest.approx(wide.hit.x, abs=0.01)
    assert narrow.hit.height == wide.hit.height == pytest.approx(chart.baseline.y1 - narrow.hit.y, abs=0.01)


def test_histogram_bins_take_their_class_and_colour_from_the_health_bands() -> None:
    edges = [0.0, *(float(upper) for upper, _ in HEALTH_BANDS)]
    chart = histogram_geometry([1] * len(HEALTH_BANDS), edges=edges, title="H", bands=HEALTH_BANDS)

    assert [chart_bin.bar.css_class for chart_bin in chart.bins] == [
        f"chart-bar chart-band-{name}" for _, name in HEALTH_BANDS
    ]
    assert [chart_bin.bar.fill for chart_bin in chart.bins] == [
        HEALTH_BAND_COLOURS[name].fill for _, name in HEALTH_BANDS
    ]


# Band legend -------------------------------------------------------------------------------


def test_the_band_legend_lists_exactly_the_health_bands_in_order() -> None:
    legend = band_legend([1, 2], edges=[0, 50, 100])

    assert [entry.name for entry in legend] == [name for _, name in HEALTH_BANDS]
    assert [entry.colours for entry in legend] == [HEALTH_BAND_COLOURS[name] for _, name in HEALTH_BANDS]
    lowers = [None, *(upper for upper, _ in HEALTH_BANDS[:-1])]
    for entry, lower, (upper, _) in zip(legend, lowers, HEALTH_BANDS, strict=True):
        if lower is None:
            assert entry.range_text == f"under {upper}"
        elif entry is legend[-1]:
            assert entry.range_text == f"{lower} and over"
        else:
            assert entry.range_text == f"{lower} to {upper}"


# Gauge -------------------------------------------------------------------------------------


def angle_of(chart: Gauge, point: tuple[float, float]) -> float:
    """The angle of a point on the gauge's half-circle, in degrees: 180 at the left end, 0 at the right."""
    centre_x, centre_y = chart.canvas.width / 2, chart.end_labels[0].y - 16
    return math.degrees(math.atan2(centre_y - point[1], point[0] - centre_x))


@pytest.mark.parametrize("score", [0.5, 25, 40, 62.5, 74.9, 99])
def test_the_gauges_value_arc_runs_from_the_left_end_to_the_scores_angle(score: float) -> None:
    chart = gauge_geometry(score, title="G")

    assert chart.value_arc is not None
    assert angle_of(chart, chart.value_arc.start_point) == pytest.approx(180, abs=0.1)
    assert angle_of(chart, chart.value_arc.end_point) == pytest.approx(180 * (1 - score / 100), abs=0.1)
    assert chart.value_arc.path.endswith(f"{chart.value_arc.end_point[0]} {chart.value_arc.end_point[1]}")


def test_the_gauges_tracks_meet_at_the_health_band_edges() -> None:
    chart = gauge_geometry(50, title="G")

    assert [arc.css_class for arc in chart.tracks] == [
        f"chart-gauge-track chart-gauge-track-{name}" for _, name in HEALTH_BANDS
    ]
    edges = [angle_of(chart, arc.end_point) for arc in chart.tracks]
    assert edges == [pytest.approx(180 * (1 - upper / 100), abs=0.1) for upper, _ in HEALTH_BANDS]


def test_a_gauge_without_a_score_has_no_value_arc() -> None:
    chart = gauge_geometry(math.nan, title="G")

    assert chart.value_arc is None
    assert chart.number.content == "—"


# Line chart, factor bars, reliability --------------------------------------------------------


def test_the_line_runs_through_the_points_and_the_latest_value_is_written_beside_the_last() -> None:
    chart = line_chart_geometry([(DAY, 70.0), (DAY + datetime.timedelta(days=7), 40.0)], title="L")

    assert chart.line is not None
    assert chart.line.points == tuple((point.x, point.y) for point in chart.points)
    assert chart.line.points_text == " ".join(f"{point.x},{point.y}" for point in chart.points)
    assert chart.latest.content == "40"
    assert chart.latest.x == chart.points[-1].x


def test_a_factors_fill_is_its_share_of_its_track() -> None:
    chart = factor_bars_geometry([FactorBar("Recency", 3, 12), FactorBar("Tenure", 3, 3)], title="F")
    recency, tenure = chart.rows

    assert recency.fill.width / recency.track.width == pytest.approx(0.25, abs=0.001)
    assert tenure.fill.width == tenure.track.width
    assert recency.track.width / tenure.track.width == pytest.approx(4, abs=0.01)
    assert chart.hatch is None


def test_a_factor_without_data_points_its_track_at_the_hatch_of_its_own_chart() -> None:
    chart = factor_bars_geometry([FactorBar("NPS", 2.5, 5, no_data=True)], title="F")

    assert chart.hatch is not None
    assert chart.hatch.identifier.startswith(chart.canvas.identifier)
    assert chart.rows[0].track.fill == f"url(#{chart.hatch.identifier})"


def test_a_perfectly_calibrated_reliability_bin_lies_on_the_diagonal() -> None:
    chart = reliability_geometry(RELIABILITY_BINS, title="R")
    diagonal = chart.diagonal
    calibrated = chart.points[1]  # predicted 50 %, observed 50 %
    slope = (diagonal.y2 - diagonal.y1) / (diagonal.x2 - diagonal.x1)

    assert calibrated.y - diagonal.y1 == pytest.approx(slope * (calibrated.x - diagonal.x1), abs=0.02)
    assert chart.points[0].tooltip == "predicted 10 %, churned 15 % of 40 customers"
    assert [label.content for label in chart.x_axis.labels][-1] == "predicted risk"


# Escaping ----------------------------------------------------------------------------------

HOSTILE_CHARTS = {
    "histogram": lambda: histogram_svg([1, 2], edges=[0, 50, 100], title=HOSTILE, x_label=HOSTILE),
    "line chart": lambda: line_chart_svg(
        [(DAY, 50.0), (DAY + datetime.timedelta(days=1), 60.0)],
        title=HOSTILE,
        annotations=[HOSTILE, None],
        value_format=lambda value: f"{value:.0f} {HOSTILE}",
    ),
    "gauge": lambda: gauge_svg(50, title=HOSTILE),
    "factor bars": lambda: factor_bars_svg([FactorBar(HOSTILE, 1, 2, detail=HOSTILE)], title=HOSTILE),
    "reliability": lambda: reliability_svg(RELIABILITY_BINS, title=HOSTILE),
    "empty": lambda: line_chart_svg([], title=HOSTILE),
}


@pytest.mark.parametrize("draw", HOSTILE_CHARTS.values(), ids=HOSTILE_CHARTS.keys())
def test_markup_ampersands_and_quotes_from_data_are_escaped_and_read_back_as_written(draw) -> None:
    markup = draw()
    root = parse(markup)

    assert "<script" not in markup
    assert not [element for element in root.iter() if element.tag.endswith("script")]
    assert root[0].text == HOSTILE
    assert HOSTILE in root[1].text
    # Every attribute held its quotes: the root and every element parsed, with only chart classes.
    assert all(
        css_class.startswith("chart") for element in root.iter() for css_class in element.get("class", "").split()
    )


def test_a_hostile_factor_label_and_detail_are_written_as_text() -> None:
    root = parse(factor_bars_svg([FactorBar(HOSTILE, 1, 2, detail="a & b")], title="F"))
    (row,) = with_class(root, "chart-factor")

    assert row.find(f"{SVG}title").text == f"{HOSTILE}: 1 / 2 — a & b"
    assert with_class(row, "chart-factor-detail")[0].text == "a & b"
    assert with_class(row, "chart-factor-label")[0].text.startswith("<script>")


def test_render_chart_marks_its_output_safe_once_the_template_has_escaped_it() -> None:
    markup = render_chart(gauge_geometry(50, title="a & b"))

    assert hasattr(markup, "__html__")
    assert "a &amp; b" in markup


# One set of health bands -------------------------------------------------------------------


@pytest.mark.parametrize("function", [gauge_geometry, gauge_svg, band_legend])
def test_the_charts_default_to_the_health_bands_of_customers_health_and_restate_none(function) -> None:
    assert inspect.signature(function).parameters["bands"].default is HEALTH_BANDS
