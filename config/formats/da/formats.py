"""Danish: "7. december 2026", "mandag den 7. december 2026 kl. 10:00", "4. dec. 2026"."""

DATE_FORMAT = "j. F Y"  # 7. december 2026
SHORT_DATE_FORMAT = "j. N Y"  # 4. dec. 2026
WEEKDAY_DATE_FORMAT = r"l \d\e\n j. F Y"  # mandag den 7. december 2026
DATETIME_FORMAT = r"l \d\e\n j. F Y \k\l. H:i"  # mandag den 7. december 2026 kl. 10:00
SHORT_DATETIME_FORMAT = r"j. N Y \k\l. H:i"  # 7. dec. 2026 kl. 10:00
MONTH_DAY_FORMAT = "j. F"  # 7. december
WEEKDAY_MONTH_DAY_FORMAT = r"l \d\e\n j. F"  # mandag den 7. december
SHORT_WEEKDAY_MONTH_DAY_FORMAT = "D j. N"  # man 7. dec.
MONTH_DAY_TIME_FORMAT = r"j. N \k\l. H:i"  # 7. dec. kl. 10:00
WEEKDAY_MONTH_DAY_TIME_FORMAT = r"l \d\e\n j. F \k\l. H:i"  # mandag den 7. december kl. 10:00
YEAR_MONTH_FORMAT = "F Y"  # december 2026
CHART_MONTH_FORMAT = "N y"  # dec. 26
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1
# <input type="date"> takes only ISO values: the Danish "01.01.2027" left the month review's date field empty.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
