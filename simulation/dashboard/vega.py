"""The browser side of a chart: a Vega-Lite view that is drawn once and then fed new rows.

See ``vega.vue``: the layout (``spec``, with named data sources) is embedded when it changes;
the rows (``datasets``) are swapped into the running view every year, which costs the browser
a few milliseconds where drawing the chart again cost tens.
"""

from __future__ import annotations

from pathlib import Path

import ipyvuetify as v
import traitlets


class VegaChart(v.VuetifyTemplate):
    """A Vega-Lite chart: ``spec`` without its rows, ``datasets`` the rows by source name
    (:func:`simulation.charts.split_data` makes the two from a whole spec)."""

    template_file = str(Path(__file__).resolve().with_name("vega.vue"))
    spec = traitlets.Dict().tag(sync=True)
    datasets = traitlets.Dict().tag(sync=True)
