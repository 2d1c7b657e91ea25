"""Geometry for the server-rendered SVG charts (templates/reports/_funnel.svg.html, _trend.svg.html).

Plain numbers in, coordinates out: the templates only place shapes. No JavaScript, so the charts print, work
with CSP and are read by screen readers through their <title>/<desc> and the data table next to them.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

FUNNEL_LABELS = {"published": _("Free slots published"), "booked": _("Booked"), "held": _("Held"),
                 "proposal": _("Proposal sent"), "won": _("Won")}


@dataclass
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    css: str = ""

    @property
    def text_x(self) -> float:
        return self.x + self.width + 6

    @property
    def text_y(self) -> float:
        return self.y + self.height / 2 + 5


@dataclass
class Funnel:
    width: int
    height: int
    label_width: int
    bars: list[Bar]


def funnel_chart(steps: list[tuple[str, int]], *, width: int = 640, bar_height: int = 34, gap: int = 10) -> Funnel:
    label_width = 170
    room = width - label_width - 70
    top = max((v for _k, v in steps), default=0) or 1
    bars = [Bar(label=str(FUNNEL_LABELS.get(key, key)), value=value, x=label_width, y=i * (bar_height + gap),
                width=round(room * value / top, 1), height=bar_height, css=f"bar-{key}")
            for i, (key, value) in enumerate(steps)]
    return Funnel(width=width, height=len(steps) * (bar_height + gap), label_width=label_width, bars=bars)


@dataclass
class TrendMonth:
    label: str
    x_center: float
    held: Bar
    won: Bar
    nps: int | None
    nps_y: float | None


@dataclass
class Tick:
    value: int
    y: float


@dataclass
class Trend:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    months: list[TrendMonth]
    count_ticks: list[Tick]
    nps_ticks: list[Tick]

    @property
    def nps_points(self) -> str:
        return " ".join(f"{m.x_center},{m.nps_y}" for m in self.months if m.nps_y is not None)

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def baseline(self) -> int:
        return self.height - self.bottom


def _nice_max(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000):
        if value <= step * 4:
            return step * 4
    return value


def trend_chart(points, *, width: int = 720, height: int = 280) -> Trend:
    """Grouped bars (held, won) on the left axis and the NPS line (−100…100) on the right axis."""
    from django.utils.formats import date_format

    left, right, top, bottom = 44, 48, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h
    top_count = _nice_max(max((max(p.held, p.won) for p in points), default=0))
    group = plot_w / max(len(points), 1)
    bar_w = round(group * 0.32, 1)
    months = []
    for i, p in enumerate(points):
        x0 = left + i * group
        held_h = round(plot_h * p.held / top_count, 1)
        won_h = round(plot_h * p.won / top_count, 1)
        label = date_format(p.month, "CHART_MONTH_FORMAT")
        held = Bar(label=label, value=p.held, x=round(x0 + group * 0.16, 1), y=round(base - held_h, 1), width=bar_w,
                   height=held_h, css="bar-held")
        won = Bar(label=label, value=p.won, x=round(x0 + group * 0.16 + bar_w, 1), y=round(base - won_h, 1),
                  width=bar_w, height=won_h, css="bar-won")
        nps_y = None if p.nps is None else round(top + plot_h * (100 - p.nps) / 200, 1)
        months.append(TrendMonth(label=label, x_center=round(x0 + group / 2, 1), held=held, won=won, nps=p.nps,
                                 nps_y=nps_y))
    count_ticks = [Tick(value=top_count * k // 4, y=round(base - plot_h * k / 4, 1)) for k in range(5)]
    nps_ticks = [Tick(value=v, y=round(top + plot_h * (100 - v) / 200, 1)) for v in (100, 50, 0, -50, -100)]
    return Trend(width=width, height=height, left=left, right=right, top=top, bottom=bottom, months=months,
                 count_ticks=count_ticks, nps_ticks=nps_ticks)
