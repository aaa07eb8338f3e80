"""The inline SVG charts (pure: no DB, no request). Each chart is parsed as XML, so a test
also fails if the markup stops being well-formed."""

from __future__ import annotations

import datetime
import itertools
import math
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from django.utils.safestring import SafeString

from customers.health import HEALTH_BANDS, health_band
from staff.charts import (
    HEALTH_BAND_COLOURS,
    INK_COLOUR,
    FactorBar,
    band_legend,
    factor_bars_svg,
    gauge_svg,
    histogram_svg,
    line_chart_svg,
    nice_ticks,
    reliability_svg,
)
from staff.selectors import bin_counts, histogram_edges

SVG = "{http://www.w3.org/2000/svg}"
SCRIPT_TITLE = "<script>alert('x')</script> & co"


def parse(markup: str) -> ElementTree.Element:
    assert isinstance(markup, SafeString)
    root = ElementTree.fromstring(str(markup))
    assert root.tag == f"{SVG}svg"
    return root


def classes(element: ElementTree.Element) -> set[str]:
    return set(element.get("class", "").split())


def with_class(root: ElementTree.Element, css_class: str) -> list[ElementTree.Element]:
    return [element for element in root.iter() if css_class in classes(element)]


def title_of(element: ElementTree.Element) -> str:
    title = element.find(f"{SVG}title")
    assert title is not None, f"{element.tag} has no <title>"
    return title.text or ""


def texts(root: ElementTree.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def y_labels(root: ElementTree.Element) -> list[str]:
    (axis,) = with_class(root, "chart-y-axis")
    return [text.text or "" for text in axis.iter(f"{SVG}text")]


def x_labels(root: ElementTree.Element) -> list[str]:
    (axis,) = with_class(root, "chart-x-axis")
    return [text.text or "" for text in axis.iter(f"{SVG}text")]


def bars(root: ElementTree.Element) -> list[ElementTree.Element]:
    return [element for element in root.iter(f"{SVG}rect") if "chart-bar" in classes(element)]


def number(element: ElementTree.Element, attribute: str) -> float:
    return float(element.get(attribute))


# Every chart ------------------------------------------------------------------------------

EVERY_CHART = {
    "histogram": lambda title: histogram_svg([3, 5], edges=[0, 50, 100], title=title),
    "line": lambda title: line_chart_svg([(datetime.date(2025, 1, 1), 50.0)], title=title),
    "gauge": lambda title: gauge_svg(60, title=title),
    "factors": lambda title: factor_bars_svg([FactorBar("Recency", 10, 25)], title=title),
    "reliability": lambda title: reliability_svg([{"predicted": 0.2, "observed": 0.3, "count": 9}], title=title),
    "empty": lambda title: histogram_svg([], edges=[], title=title),
}


@pytest.mark.parametrize("draw", EVERY_CHART.values(), ids=EVERY_CHART.keys())
def test_every_chart_is_an_accessible_image_that_scales_to_its_container(draw) -> None:
    root = parse(draw("Health scores"))

    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("preserveAspectRatio") == "xMidYMid meet"
    assert re.fullmatch(r"0 0 \d+(\.\d+)? \d+(\.\d+)?", root.get("viewBox"))
    title, description = root[0], root[1]
    assert title.tag == f"{SVG}title"
    assert title.text == "Health scores"
    assert root.get("aria-labelledby") == title.get("id")
    assert description.tag == f"{SVG}desc"
    assert root.get("aria-describedby") == description.get("id")
    assert description.text.startswith("Health scores")


@pytest.mark.parametrize("draw", EVERY_CHART.values(), ids=EVERY_CHART.keys())
def test_text_from_data_is_escaped(draw) -> None:
    markup = draw(SCRIPT_TITLE)
    root = parse(markup)

    assert "<script" not in markup
    assert not [element for element in root.iter() if element.tag.endswith("script")]
    assert root[0].text == SCRIPT_TITLE


def test_two_charts_on_one_page_do_not_share_element_ids() -> None:
    first = parse(gauge_svg(50, title="Health"))
    second = parse(gauge_svg(50, title="Health"))

    first_ids = {element.get("id") for element in first.iter() if element.get("id")}
    second_ids = {element.get("id") for element in second.iter() if element.get("id")}
    assert first_ids
    assert not first_ids & second_ids


# Histogram --------------------------------------------------------------------------------

EDGES = [0, 20, 40, 60, 80, 100]
COUNTS = [12, 0, 30, 50, 7]


def test_the_histogram_draws_one_bar_per_bin() -> None:
    root = parse(histogram_svg(COUNTS, edges=EDGES, title="Health"))

    assert len(bars(root)) == len(COUNTS)


def test_bar_heights_are_proportional_to_counts() -> None:
    root = parse(histogram_svg(COUNTS, edges=EDGES, title="Health"))
    heights = [number(bar, "height") for bar in bars(root)]

    assert heights.index(max(heights)) == COUNTS.index(max(COUNTS))
    per_count = [height / count for height, count in zip(heights, COUNTS, strict=True) if count]
    assert max(per_count) == pytest.approx(min(per_count), rel=0.01)
    # Bars stand on a common baseline.
    assert len({round(number(bar, "y") + number(bar, "height"), 2) for bar in bars(root)}) == 1


def test_a_zero_bin_draws_no_bar() -> None:
    root = parse(histogram_svg(COUNTS, edges=EDGES, title="Health"))

    assert number(bars(root)[1], "height") == 0
    assert all(number(bar, "height") > 0 for index, bar in enumerate(bars(root)) if index != 1)


def test_bars_follow_their_bin_edges_from_left_to_right() -> None:
    root = parse(histogram_svg([5, 5, 5], edges=[0, 10, 40, 100], title="Uneven bins"))
    widths = [number(bar, "width") for bar in bars(root)]
    lefts = [number(bar, "x") for bar in bars(root)]

    assert lefts == sorted(lefts)
    assert widths[1] / widths[0] == pytest.approx(3, rel=0.05)
    assert widths[2] / widths[0] == pytest.approx(6, rel=0.05)


def test_each_bin_inside_one_band_is_drawn_in_that_bands_colour() -> None:
    root = parse(histogram_svg(COUNTS, edges=EDGES, title="Health", bands=HEALTH_BANDS))

    assert [classes(bar) - {"chart-bar"} for bar in bars(root)] == [
        {"chart-band-critical"},
        {"chart-band-critical"},
        {"chart-band-poor"},
        {"chart-bar-mixed"},  # 60 to 80 holds fair (60-75) and healthy (75-80) scores
        {"chart-band-healthy"},
    ]
    fills = [bar.get("fill") for bar in bars(root)]
    assert fills[0] == fills[1] == HEALTH_BAND_COLOURS["critical"].fill
    assert fills[2] == HEALTH_BAND_COLOURS["poor"].fill
    assert fills[3] not in {colours.fill for colours in HEALTH_BAND_COLOURS.values()}
    assert fills[4] == HEALTH_BAND_COLOURS["healthy"].fill


def test_a_bin_that_straddles_a_band_edge_says_so_in_its_tooltip() -> None:
    root = parse(histogram_svg([4, 6], edges=[0, 50, 100], title="Health", bands=HEALTH_BANDS))

    assert [title_of(group) for group in with_class(root, "chart-bin")] == [
        "0 to 50: 4 (more than one health band)",
        "50 to 100: 6 (more than one health band)",
    ]


def test_without_bands_every_bar_is_plain() -> None:
    root = parse(histogram_svg(COUNTS, edges=EDGES, title="Health"))

    assert [classes(bar) for bar in bars(root)] == [{"chart-bar"}] * len(COUNTS)
    assert not [element for element in root.iter() if any(name.startswith("chart-band-") for name in classes(element))]


def test_the_selection_is_a_dark_segment_at_the_foot_of_its_bars_one_value_still_visible() -> None:
    root = parse(histogram_svg([500, 300], edges=[0, 40, 60], title="Health", bands=HEALTH_BANDS, selected=[1, 0]))
    (segment,) = with_class(root, "chart-bar-selected")
    first_bar = bars(root)[0]

    assert segment.get("fill") == INK_COLOUR
    assert number(segment, "height") == 3  # 1 of 500 would be a sliver
    assert number(segment, "y") + number(segment, "height") == pytest.approx(
        number(first_bar, "y") + number(first_bar, "height")
    )
    assert [title_of(group) for group in with_class(root, "chart-bin")] == [
        "0 to 40: 500 (critical), 1 in the at-risk list",
        "40 to 60: 300 (poor)",
    ]


def test_the_histogram_description_counts_every_bin_band_and_the_selection_in_words() -> None:
    root = parse(
        histogram_svg([12, 988], edges=[0, 40, 100], title="Health scores", bands=HEALTH_BANDS, selected=[2, 0])
    )

    assert root[1].text == (
        "Health scores, 1,000 in all: 12 between 0 and 40, 988 between 40 and 100. "
        "Colours are health bands: critical under 40 (12), poor 40 to 60, fair 60 to 75, healthy 75 and over. "
        "2 in the at-risk list, drawn dark at the foot of their bars."
    )


def test_the_band_legend_counts_each_band_and_none_where_a_bin_straddles_its_edge() -> None:
    legend = band_legend([5, 7, 11, 13], edges=[0, 40, 60, 80, 100])

    assert [(entry.name, entry.range_text, entry.count) for entry in legend] == [
        ("critical", "under 40", 5),
        ("poor", "40 to 60", 7),
        ("fair", "60 to 75", None),  # 60 to 80 straddles 75
        ("healthy", "75 and over", None),
    ]
    assert [entry.colours for entry in legend] == [HEALTH_BAND_COLOURS[name] for _, name in HEALTH_BANDS]


def test_every_bin_has_a_tooltip_with_its_range_and_exact_count() -> None:
    root = parse(histogram_svg([1234, 0], edges=[0, 50, 100], title="Health"))

    assert [title_of(group) for group in with_class(root, "chart-bin")] == ["0 to 50: 1,234", "50 to 100: 0"]


def test_the_count_axis_has_three_to_five_whole_ticks_with_thousands_separators() -> None:
    root = parse(histogram_svg([1800, 350], edges=[0, 50, 100], title="Health"))
    labels = y_labels(root)

    assert 3 <= len(labels) <= 5
    assert "1,000" in labels
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})*", label) for label in labels)
    assert int(labels[-1].replace(",", "")) >= 1800


def test_a_histogram_of_one_customer_still_has_whole_number_ticks() -> None:
    root = parse(histogram_svg([1, 0], edges=[0, 50, 100], title="Health"))
    labels = y_labels(root)

    assert labels == ["0", "1", "2"]


def test_the_histogram_description_counts_every_bin_in_words() -> None:
    root = parse(histogram_svg([12, 988], edges=[0, 10, 100], title="Health scores"))

    assert root[1].text == "Health scores, 1,000 in all: 12 between 0 and 10, 988 between 10 and 100."


def test_the_x_axis_is_labelled_at_the_edges_and_with_its_label() -> None:
    root = parse(histogram_svg(COUNTS, edges=EDGES, title="Health", x_label="Health score"))

    assert {"0", "40", "100"} <= set(texts(root))
    assert [text.text for text in with_class(root, "chart-axis-label")] == ["Health score"]


@pytest.mark.parametrize("counts", [[], [0, 0, 0]], ids=["no bins", "all zero"])
def test_an_empty_histogram_says_no_data_yet(counts: list[int]) -> None:
    edges = [0, 10, 20, 30] if counts else []
    root = parse(histogram_svg(counts, edges=edges, title="Health"))

    assert "No data yet" in texts(root)
    assert not bars(root)
    assert with_class(root, "chart-frame")


def test_a_histogram_with_data_does_not_say_no_data_yet() -> None:
    assert "No data yet" not in texts(parse(histogram_svg([0, 1], edges=[0, 1, 2], title="Health")))


@pytest.mark.parametrize(
    ("counts", "edges"),
    [([1, 2], [0, 10]), ([1, 2], [0, 10, 20, 30]), ([1, -2], [0, 10, 20]), ([1, 2], [0, 20, 10]), ([1.5], [0, 1])],
    ids=["too few edges", "too many edges", "negative count", "decreasing edges", "fractional count"],
)
def test_the_histogram_rejects_inconsistent_input(counts: list[int], edges: list[float]) -> None:
    with pytest.raises(ValueError, match=r"edges|count"):
        histogram_svg(counts, edges=edges, title="Health")


@pytest.mark.parametrize(
    "arguments",
    [{"selected": [1]}, {"selected": [1, -1]}, {"bands": ()}, {"bands": ((60, "poor"), (40, "critical"))}],
    ids=["selection of another length", "negative selection", "no bands", "decreasing bands"],
)
def test_the_histogram_rejects_an_inconsistent_selection_or_bands(arguments: dict) -> None:
    with pytest.raises(ValueError, match=r"selected|count|band"):
        histogram_svg([1, 2], edges=[0, 50, 100], title="Health", **arguments)


# Line chart --------------------------------------------------------------------------------

DAY = datetime.date(2025, 3, 3)


def weekly(values: list[float]) -> list[tuple[datetime.date, float]]:
    return [(DAY + datetime.timedelta(weeks=index), value) for index, value in enumerate(values)]


def points_of(root: ElementTree.Element) -> list[ElementTree.Element]:
    return with_class(root, "chart-point")


def test_every_point_has_a_title_with_its_date_and_formatted_value() -> None:
    root = parse(line_chart_svg(weekly([61.25, 48]), title="Health", value_format=lambda value: f"{value:.1f} pts"))

    assert [title_of(point) for point in points_of(root)] == ["03 Mar 2025: 61.2 pts", "10 Mar 2025: 48.0 pts"]


def test_points_are_drawn_in_chronological_order_whatever_order_they_come_in() -> None:
    points = weekly([70, 60, 50])
    shuffled = [points[2], points[0], points[1]]
    annotations = ["Recency -10", None, "Support -10"]  # aligned with the shuffled points

    root = parse(line_chart_svg(shuffled, title="Health", annotations=annotations))
    drawn = points_of(root)

    assert [number(point, "cx") for point in drawn] == sorted(number(point, "cx") for point in drawn)
    assert [title_of(point) for point in drawn] == [
        "03 Mar 2025: 70",
        "10 Mar 2025: 60 — Support -10",
        "17 Mar 2025: 50 — Recency -10",
    ]


def test_the_line_joins_the_points_in_order() -> None:
    root = parse(line_chart_svg(weekly([70, 60, 50]), title="Health"))
    line = with_class(root, "chart-line")[0]
    vertices = [tuple(map(float, pair.split(","))) for pair in line.get("points").split()]

    assert vertices == [(number(point, "cx"), number(point, "cy")) for point in points_of(root)]


def test_a_higher_value_is_drawn_higher_and_time_runs_left_to_right() -> None:
    root = parse(line_chart_svg(weekly([20, 80]), title="Health"))
    early, late = points_of(root)

    assert number(late, "cy") < number(early, "cy")
    assert number(late, "cx") > number(early, "cx")


def test_annotations_appear_in_titles_and_change_the_marker() -> None:
    root = parse(line_chart_svg(weekly([70, 62, 61]), title="Health", annotations=[None, "Recency -8, Support +3", ""]))
    plain, moved, blank = points_of(root)

    assert title_of(moved) == "10 Mar 2025: 62 — Recency -8, Support +3"
    assert "chart-point-moved" in classes(moved)
    assert "chart-point-moved" not in classes(plain) | classes(blank)
    assert number(moved, "r") > number(plain, "r")
    assert title_of(blank) == "17 Mar 2025: 61"


def test_an_annotation_from_data_is_escaped() -> None:
    markup = line_chart_svg(weekly([70, 62]), title="Health", annotations=[None, "<b>NPS</b> -5"])
    root = parse(markup)

    assert not [element for element in root.iter() if element.tag.endswith("}b")]
    assert title_of(points_of(root)[1]).endswith("<b>NPS</b> -5")


def test_a_single_point_renders_a_dot_with_its_label() -> None:
    root = parse(line_chart_svg([(DAY, 57.0)], title="Health"))

    assert len(points_of(root)) == 1
    assert not with_class(root, "chart-line")
    assert [text.text for text in with_class(root, "chart-value-label")] == ["57"]
    assert x_labels(root) == ["03 Mar"]


def test_no_points_render_no_data_yet() -> None:
    root = parse(line_chart_svg([], title="Health"))

    assert "No data yet" in texts(root)
    assert not points_of(root)


def test_fixed_bounds_set_the_value_axis() -> None:
    root = parse(line_chart_svg(weekly([55, 60]), title="Health", y_min=0, y_max=100))
    labels = y_labels(root)

    assert labels[0] == "0"
    assert labels[-1] == "100"


def test_a_point_outside_fixed_bounds_widens_the_axis_rather_than_leave_the_chart() -> None:
    root = parse(line_chart_svg(weekly([55, 130]), title="Health", y_min=0, y_max=100))
    grid = [number(line, "y1") for line in with_class(root, "chart-grid")]

    assert min(grid) <= number(points_of(root)[1], "cy") <= max(grid)


def test_the_band_shades_its_range_of_values() -> None:
    root = parse(line_chart_svg(weekly([55, 60]), title="Health", y_min=0, y_max=100, band=(0, 40)))
    band = with_class(root, "chart-band")[0]
    grid = sorted(number(line, "y1") for line in with_class(root, "chart-grid"))
    top_of_axis, bottom_of_axis = grid[0], grid[-1]

    assert number(band, "y") + number(band, "height") == pytest.approx(bottom_of_axis)
    assert number(band, "height") == pytest.approx(0.4 * (bottom_of_axis - top_of_axis))


def test_no_band_is_drawn_unless_asked_for() -> None:
    assert not with_class(parse(line_chart_svg(weekly([55, 60]), title="Health")), "chart-band")


def test_short_spans_label_dates_with_day_and_month() -> None:
    root = parse(line_chart_svg(weekly([50, 51, 52, 53, 54, 55, 56, 57, 58]), title="Health"))
    labels = x_labels(root)

    assert 3 <= len(labels) <= 6
    assert all(re.fullmatch(r"\d\d [A-Z][a-z]{2}", label) for label in labels)


def test_spans_over_three_hundred_days_label_dates_with_month_and_year() -> None:
    points = [(DAY + datetime.timedelta(days=30 * index), 50.0 + index) for index in range(16)]
    root = parse(line_chart_svg(points, title="Health"))
    labels = x_labels(root)

    assert 3 <= len(labels) <= 6
    assert all(re.fullmatch(r"[A-Z][a-z]{2} \d{4}", label) for label in labels)


def test_dates_and_datetimes_can_be_mixed() -> None:
    points = [(datetime.datetime(2025, 3, 5, 14, 30), 40.0), (datetime.date(2025, 3, 3), 50.0)]
    root = parse(line_chart_svg(points, title="Health"))

    assert [title_of(point) for point in points_of(root)] == ["03 Mar 2025: 50", "05 Mar 2025 14:30: 40"]


def test_the_line_description_gives_the_span_and_the_extremes() -> None:
    root = parse(line_chart_svg(weekly([70, 35, 52]), title="Health", annotations=[None, "Recency -30", None]))

    assert root[1].text == (
        "Health: 3 points from 03 Mar 2025 to 17 Mar 2025. Latest 52; lowest 35 on 10 Mar 2025; "
        "highest 70 on 03 Mar 2025. 1 change is explained."
    )


@pytest.mark.parametrize(
    "arguments",
    [
        {"annotations": ["one"]},
        {"y_min": 80, "y_max": 20},
        {"band": (40, 0)},
    ],
    ids=["misaligned annotations", "inverted bounds", "inverted band"],
)
def test_the_line_chart_rejects_inconsistent_arguments(arguments: dict) -> None:
    with pytest.raises(ValueError, match=r"annotations|y_min|band"):
        line_chart_svg(weekly([50, 60]), title="Health", **arguments)


def test_the_line_chart_rejects_a_missing_value() -> None:
    with pytest.raises(ValueError, match="finite"):
        line_chart_svg(weekly([50, math.nan]), title="Health")


# Gauge -------------------------------------------------------------------------------------

GAUGE_BANDS = {f"chart-gauge-{name}" for _, name in HEALTH_BANDS}


def value_arc(root: ElementTree.Element) -> ElementTree.Element:
    (arc,) = with_class(root, "chart-gauge-value")
    return arc


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (35, "chart-gauge-critical"),
        (0, "chart-gauge-critical"),
        (40, "chart-gauge-poor"),
        (59.9, "chart-gauge-poor"),
        (62, "chart-gauge-fair"),  # the issue's #1 customer: fair, not green
        (74.9, "chart-gauge-fair"),
        (75, "chart-gauge-healthy"),
        (100, "chart-gauge-healthy"),
    ],
)
def test_the_gauge_is_classed_by_the_band_its_value_falls_in(value: float, band: str) -> None:
    root = parse(gauge_svg(value, title="Health"))

    assert classes(value_arc(root)) & GAUGE_BANDS == {band}
    assert len(with_class(root, band)) == 1


def test_custom_bands_name_the_class() -> None:
    root = parse(gauge_svg(3, maximum=5, title="Rating", bands=((2, "risk"), (5, "good"))))

    assert "chart-gauge-good" in classes(value_arc(root))
    assert "of 5" in texts(root)


def test_the_gauge_shows_the_value_rounded_half_up_out_of_its_maximum() -> None:
    root = parse(gauge_svg(62.5, title="Health"))

    assert [text.text for text in with_class(root, "chart-gauge-number")] == ["63"]
    assert "of 100" in texts(root)
    assert title_of(value_arc(root)) == "62.5 of 100 (fair)"
    assert root[1].text == "Health: 63 of 100 (fair)."


@pytest.mark.parametrize(("value", "end_x", "end_y"), [(50, 110, 11), (100, 196, 97), (150, 196, 97)])
def test_the_value_arc_ends_at_the_value_share_of_the_half_circle(value: float, end_x: float, end_y: float) -> None:
    path = value_arc(parse(gauge_svg(value, title="Health"))).get("d")
    *_, x, y = (float(coordinate) for coordinate in re.findall(r"-?\d+(?:\.\d+)?", path))

    assert (x, y) == (pytest.approx(end_x, abs=0.01), pytest.approx(end_y, abs=0.01))


def test_the_track_shows_every_band() -> None:
    root = parse(gauge_svg(50, title="Health"))

    assert [title_of(track) for track in with_class(root, "chart-gauge-track")] == [
        "critical: 0 to 40",
        "poor: 40 to 60",
        "fair: 60 to 75",
        "healthy: 75 to 100",
    ]


@pytest.mark.parametrize("value", [None, math.nan], ids=["none", "nan"])
def test_a_gauge_without_a_score_shows_a_dash_and_no_score_yet(value: float | None) -> None:
    root = parse(gauge_svg(value, title="Health"))

    assert "—" in texts(root)
    assert "no score yet" in texts(root)
    assert not with_class(root, "chart-gauge-value")
    assert not {css_class for element in root.iter() for css_class in classes(element)} & GAUGE_BANDS


@pytest.mark.parametrize(
    "arguments",
    [{"maximum": 0}, {"bands": ()}, {"bands": ((70, "good"), (40, "risk"))}],
    ids=["zero maximum", "no bands", "decreasing bands"],
)
def test_the_gauge_rejects_inconsistent_arguments(arguments: dict) -> None:
    with pytest.raises(ValueError, match=r"maximum|band"):
        gauge_svg(50, title="Health", **arguments)


# Factor bars -------------------------------------------------------------------------------


def factor_rows(root: ElementTree.Element) -> list[ElementTree.Element]:
    return with_class(root, "chart-factor")


def part(row: ElementTree.Element, css_class: str) -> ElementTree.Element:
    (element,) = with_class(row, css_class)
    return element


def test_one_row_per_factor_with_its_label_and_points() -> None:
    root = parse(factor_bars_svg([FactorBar("Recency", 12, 25), FactorBar("Tenure", 10, 10)], title="Why this score"))

    assert [part(row, "chart-factor-label").text for row in factor_rows(root)] == ["Recency", "Tenure"]
    assert [part(row, "chart-factor-value").text for row in factor_rows(root)] == ["12 / 25", "10 / 10"]


def test_the_fill_is_proportional_to_points_over_maximum() -> None:
    root = parse(factor_bars_svg([FactorBar("Recency", 5, 25), FactorBar("Orders", 15, 20)], title="Why"))

    for row, share in zip(factor_rows(root), [0.2, 0.75], strict=True):
        fill, track = part(row, "chart-factor-fill"), part(row, "chart-factor-track")
        assert number(fill, "width") / number(track, "width") == pytest.approx(share, abs=0.001)
        assert number(fill, "x") == number(track, "x")


def test_tracks_are_as_long_as_each_factors_maximum() -> None:
    root = parse(factor_bars_svg([FactorBar("Recency", 5, 25), FactorBar("NPS", 5, 10)], title="Why"))
    recency, nps = (number(part(row, "chart-factor-track"), "width") for row in factor_rows(root))

    assert nps / recency == pytest.approx(0.4, abs=0.001)


def test_points_beyond_the_maximum_do_not_overflow_the_track() -> None:
    root = parse(factor_bars_svg([FactorBar("Bonus", 14, 10), FactorBar("Penalty", -3, 10)], title="Why"))
    bonus, penalty = factor_rows(root)

    assert number(part(bonus, "chart-factor-fill"), "width") == number(part(bonus, "chart-factor-track"), "width")
    assert number(part(penalty, "chart-factor-fill"), "width") == 0
    assert part(bonus, "chart-factor-value").text == "14 / 10"


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        (0, "chart-bar-critical"),
        (3.9, "chart-bar-critical"),
        (4, "chart-bar-poor"),
        (5.9, "chart-bar-poor"),
        (6, "chart-bar-fair"),
        (7.4, "chart-bar-fair"),
        (7.5, "chart-bar-healthy"),
        (10, "chart-bar-healthy"),
    ],
)
def test_the_fill_colour_class_follows_the_share_of_the_maximum(points: float, expected: str) -> None:
    row = factor_rows(parse(factor_bars_svg([FactorBar("Recency", points, 10)], title="Why")))[0]
    fill_classes = classes(part(row, "chart-factor-fill"))

    bands = {f"chart-bar-{name}" for _, name in HEALTH_BANDS}
    assert fill_classes & (bands | {"chart-bar-no-data"}) == {expected}


def test_a_factor_without_data_shows_no_data_on_a_dashed_hatched_track() -> None:
    root = parse(
        factor_bars_svg(
            [FactorBar("Support", 5, 10, "no tickets recorded", no_data=True), FactorBar("Recency", 5, 10)],
            title="Why",
        )
    )
    missing, present = factor_rows(root)
    track = part(missing, "chart-factor-track")

    assert part(missing, "chart-factor-value").text == "5 / 10 (no data)"
    assert "no data" in title_of(missing)
    assert track.get("stroke-dasharray")
    hatch_id = re.fullmatch(r"url\(#(.+)\)", track.get("fill")).group(1)
    assert root.find(f".//{SVG}pattern[@id='{hatch_id}']") is not None
    assert classes(part(missing, "chart-factor-fill")) == {"chart-factor-fill", "chart-bar-no-data"}
    assert "chart-bar-poor" in classes(part(present, "chart-factor-fill"))
    assert part(present, "chart-factor-track").get("stroke-dasharray") is None
    assert part(present, "chart-factor-value").text == "5 / 10"


def test_the_detail_is_written_under_the_label_and_in_the_tooltip() -> None:
    root = parse(factor_bars_svg([FactorBar("Recency", 12, 25, "last order 42 days ago")], title="Why"))
    (row,) = factor_rows(root)
    label, detail = part(row, "chart-factor-label"), part(row, "chart-factor-detail")

    assert detail.text == "last order 42 days ago"
    assert number(detail, "y") > number(label, "y")
    assert title_of(row) == "Recency: 12 / 25 — last order 42 days ago"


def test_a_detail_too_long_for_the_row_is_shortened_but_kept_whole_in_the_tooltip() -> None:
    detail = "last order " + "very " * 40 + "long ago"
    (row,) = factor_rows(parse(factor_bars_svg([FactorBar("Recency", 12, 25, detail)], title="Why")))

    assert part(row, "chart-factor-detail").text.endswith("…")
    assert len(part(row, "chart-factor-detail").text) < len(detail)
    assert title_of(row).endswith(detail)


def test_the_factor_description_totals_the_points() -> None:
    root = parse(
        factor_bars_svg(
            [FactorBar("Recency", 12, 25, "last order 42 days ago"), FactorBar("NPS", 5, 10, no_data=True)],
            title="Why 17",
        )
    )

    assert root[1].text == "Why 17, 17 of 35 points: Recency 12 of 25, last order 42 days ago; NPS 5 of 10 (no data)."


def test_no_factors_render_no_data_yet() -> None:
    root = parse(factor_bars_svg([], title="Why"))

    assert "No data yet" in texts(root)
    assert not factor_rows(root)


def test_a_factor_needs_a_positive_maximum() -> None:
    with pytest.raises(ValueError, match="maximum"):
        factor_bars_svg([FactorBar("Recency", 0, 0)], title="Why")


# Nice ticks --------------------------------------------------------------------------------


def test_nice_ticks_from_0_to_97_step_by_20() -> None:
    assert nice_ticks(0, 97) == [0, 20, 40, 60, 80, 100]


@pytest.mark.parametrize(
    ("low", "high"), [(0, 1), (0, 7), (3, 1234), (-12.5, 48), (0.001, 0.0042), (99_000, 1_250_000), (-5, -2)]
)
def test_nice_ticks_cover_the_range_in_round_even_steps(low: float, high: float) -> None:
    ticks = nice_ticks(low, high)
    steps = {round(second - first, 12) for first, second in itertools.pairwise(ticks)}

    assert ticks[0] <= low
    assert ticks[-1] >= high
    assert len(steps) == 1
    (step,) = steps
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 9) in {1, 2, 5}
    assert 3 <= len(ticks) <= 11
    assert all(tick == pytest.approx(round(tick / step) * step) for tick in ticks)


@pytest.mark.parametrize("value", [0, 72, -3.5])
def test_nice_ticks_of_a_single_value_surround_it(value: float) -> None:
    ticks = nice_ticks(value, value)

    assert len(ticks) >= 3
    assert ticks[0] < value < ticks[-1]


def test_nice_ticks_accept_the_bounds_in_either_order() -> None:
    assert nice_ticks(97, 0) == nice_ticks(0, 97)


@pytest.mark.parametrize(("low", "high", "count"), [(0, math.inf, 5), (math.nan, 1, 5), (0, 10, 1)])
def test_nice_ticks_reject_unusable_arguments(low: float, high: float, count: int) -> None:
    with pytest.raises(ValueError, match=r"finite|count"):
        nice_ticks(low, high, count=count)


def test_nice_ticks_of_fractions_carry_no_floating_point_noise() -> None:
    # 3 * 0.2 is 0.6000000000000001 in binary floating point; a tick label must say 0.6.
    assert nice_ticks(0, 0.7) == [0, 0.2, 0.4, 0.6, 0.8]


# Health bands: one definition for the word, the gauge, the histogram and the badges -----------

# Every whole score, and the scores just under each band edge.
EVERY_SCORE = sorted({float(score) for score in range(101)} | {upper - 0.1 for upper, _ in HEALTH_BANDS})


@pytest.mark.parametrize("score", EVERY_SCORE)
def test_every_score_has_exactly_one_band_and_the_gauge_and_histogram_draw_it(score: float) -> None:
    lowers = [0.0, *(float(upper) for upper, _ in HEALTH_BANDS[:-1])]
    holding = [
        name
        for low, (upper, name) in zip(lowers, HEALTH_BANDS, strict=True)
        if low <= score < upper or (name == HEALTH_BANDS[-1][1] and score == upper)
    ]
    assert len(holding) == 1, holding
    band = health_band(score)
    assert holding == [band]
    assert band != "at risk"  # that word is the scan's selection, never a band
    colour = HEALTH_BAND_COLOURS[band].fill

    arc = value_arc(parse(gauge_svg(score, title="Health")))
    assert classes(arc) & GAUGE_BANDS == {f"chart-gauge-{band}"}
    assert arc.get("stroke") == colour

    # The dashboard's bins: the score's own bar is drawn in its band's colour.
    edges = histogram_edges()
    counts = bin_counts([score], edges)
    root = parse(histogram_svg(counts, edges=edges, title="Health", bands=HEALTH_BANDS))
    (bar,) = [bar for bar, count in zip(bars(root), counts, strict=True) if count]
    assert classes(bar) == {"chart-bar", f"chart-band-{band}"}
    assert bar.get("fill") == colour
    assert not with_class(root, "chart-bar-mixed")


def test_every_band_has_colours_and_only_the_bands_do() -> None:
    assert list(HEALTH_BAND_COLOURS) == [name for _, name in HEALTH_BANDS]


# The stylesheet's badges: the band badges repeat HEALTH_BAND_COLOURS, and every badge's text
# passes WCAG AA contrast on its background (what axe-core's color-contrast rule checks).

STYLESHEET = Path(__file__).resolve().parents[2] / "staff" / "static" / "procx" / "procx.css"


def css_rules() -> list[tuple[list[str], dict[str, str]]]:
    text = re.sub(r"/\*.*?\*/", "", STYLESHEET.read_text(), flags=re.S)
    rules = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        declarations = dict(
            (name.strip(), value.strip())
            for name, value in (item.split(":", 1) for item in body.split(";") if ":" in item)
        )
        rules.append(([selector.strip() for selector in selectors.split(",")], declarations))
    return rules


def css_colour(value: str, variables: dict[str, str]) -> str:
    while value.startswith("var("):
        value = variables[value[4:-1].strip()]
    return value.lower()


def relative_luminance(colour: str) -> float:
    if len(colour) == 4:  # #rgb
        colour = "#" + "".join(character * 2 for character in colour[1:])
    channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_band_badges_in_the_stylesheet_use_the_bands_colours() -> None:
    badges = {selector: declarations for selectors, declarations in css_rules() for selector in selectors}
    for _, name in HEALTH_BANDS:
        colours = HEALTH_BAND_COLOURS[name]
        rule = badges[f".badge.band-{name}"]
        assert (rule["background"].lower(), rule["color"].lower()) == (colours.soft, colours.ink), name


def test_every_badge_and_band_ink_is_readable_on_its_background() -> None:
    rules = css_rules()
    variables = {
        name: value for selectors, declarations in rules if ":root" in selectors for name, value in declarations.items()
    }
    checked = 0
    for selectors, declarations in rules:
        if any(".badge" in selector for selector in selectors) and {"background", "color"} <= set(declarations):
            background = css_colour(declarations["background"], variables)
            text = css_colour(declarations["color"], variables)
            assert contrast(text, background) >= 4.5, (selectors, text, background)
            checked += 1
    assert checked >= 8
    for name, colours in HEALTH_BAND_COLOURS.items():
        assert contrast(colours.ink, colours.soft) >= 4.5, name
