"""The staff pages' views, one module per page family."""

from __future__ import annotations

from collections.abc import Sequence

from customers.selectors import FactorRow
from staff.charts import FactorBar, factor_bars_svg


def factors_chart(rows: Sequence[FactorRow]) -> str:
    """The ten health factors of a stored score as the pages' bar chart (customer and intervention pages)."""
    return factor_bars_svg(
        [
            FactorBar(
                label=row.label, points=row.points, maximum=row.max_points, detail=row.reason, no_data=row.no_data
            )
            for row in rows
        ],
        title="The ten health factors",
    )
