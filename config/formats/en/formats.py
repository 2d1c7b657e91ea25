"""English as Probono writes it: day before month, a 24-hour clock ("Monday 7 December 2026, 10:00"), the way
our Swedish and Danish users read dates in any language. Templates use these names, never a literal format."""

DATE_FORMAT = "j F Y"  # 7 December 2026
SHORT_DATE_FORMAT = "j M Y"  # 7 Dec 2026
WEEKDAY_DATE_FORMAT = "l j F Y"  # Monday 7 December 2026
DATETIME_FORMAT = "l j F Y, H:i"  # Monday 7 December 2026, 10:00
SHORT_DATETIME_FORMAT = "j M Y, H:i"  # 7 Dec 2026, 10:00
MONTH_DAY_FORMAT = "j F"  # 7 December
WEEKDAY_MONTH_DAY_FORMAT = "l j F"  # Monday 7 December
SHORT_WEEKDAY_MONTH_DAY_FORMAT = "D j M"  # Mon 7 Dec
MONTH_DAY_TIME_FORMAT = "j M, H:i"  # 7 Dec, 10:00
WEEKDAY_MONTH_DAY_TIME_FORMAT = "l j F, H:i"  # Monday 7 December, 10:00
YEAR_MONTH_FORMAT = "F Y"  # December 2026
CHART_MONTH_FORMAT = "M y"  # Dec 26
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1
# <input type="date"> sends and shows ISO dates only; the ISO format comes first so forms render it.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
