"""The one NPS arithmetic of the product, for the surveys about consultants, the reports, the wall and the
companies' own customers alike.

NPS = % promoters (9–10) − % detractors (0–6), rounded half away from zero to a whole number from −100 to 100
(12.5 → 13, −12.5 → −13); None when nobody answered. Integers only: no float surprises at the .5 boundary.
"""


def _div_round(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in integers."""
    value = (2 * abs(numerator) + denominator) // (2 * denominator)
    return value if numerator >= 0 else -value


def nps(promoters: int, detractors: int, responses: int) -> int | None:
    """Net Promoter Score as a whole number from −100 to 100, or None without answers."""
    if not responses:
        return None
    return _div_round(100 * (promoters - detractors), responses)


def percent(part: int, whole: int) -> int | None:
    """A whole-number percentage (half away from zero), None when there is nothing to divide by."""
    return _div_round(100 * part, whole) if whole else None
