"""`when` in the six UN languages (SPEC section 12): the same dates, times, ranges, relative
words and tentative dates as in English, written in Arabic, Chinese, French, Russian and
Spanish, with Arabic-Indic and Chinese numerals. Each row is read by `parse_when` and must mean
exactly what its English twin means."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.when import parse_when
from bot.domain.when.languages import to_english
from bot.errors import UserError

NOW = datetime(2013, 11, 1, 12, 0, tzinfo=UTC)  # a Friday
TZ = "Europe/Paris"
PARIS = ZoneInfo(TZ)


def day(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=PARIS).astimezone(UTC)


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(date(y, m, d), time(hh, mm), tzinfo=PARIS).astimezone(UTC)


JAN24 = (day(2014, 1, 24), day(2014, 1, 25), True)
ICANN = (day(2014, 3, 23), day(2014, 3, 28), True)  # 23-27 March 2014, last day included
WINDOW = (day(2013, 12, 19), day(2014, 1, 25), True)  # 19 December 2013 - 24 January 2014
PLENIPOT = (day(2014, 10, 20), day(2014, 11, 8), True)  # 20 October - 7 November 2014
AT_15 = (at(2014, 1, 24, 15), None, False)  # 24 January 2014 15:00
AT_1530 = (at(2014, 1, 24, 15, 30), None, False)
TOMORROW = (day(2013, 11, 2), day(2013, 11, 3), True)
TOMORROW_10 = (at(2013, 11, 2, 10), None, False)
# Relative days without a time are all-day, in every language (issue 19: "in 3 days" no longer
# keeps the clock's minutes).
IN_3_DAYS = (day(2013, 11, 4), day(2013, 11, 5), True)
IN_2_DAYS = (day(2013, 11, 3), day(2013, 11, 4), True)
IN_2_HOURS = (NOW + timedelta(hours=2), None, False)
NEXT_FRIDAY_9 = (at(2013, 11, 8, 9), None, False)
MEETING_MORNING = (at(2014, 1, 24, 9), at(2014, 1, 24, 11), False)  # 24 January 2014 9:00-11:00

# (language, text, (start, end, all_day))
TABLE: list[tuple[str, str, tuple[datetime, datetime | None, bool]]] = [
    # English, the reference
    ("en", "24 January 2014", JAN24),
    ("en", "23-27 March 2014", ICANN),
    ("en", "from 19 December 2013 to 24 January 2014", WINDOW),
    ("en", "in 3 days", IN_3_DAYS),
    # French
    ("fr", "24 janvier 2014", JAN24),
    ("fr", "le 24 janvier 2014", JAN24),
    ("fr", "24 janvier 2014 15h", AT_15),
    ("fr", "24 janvier 2014 à 15h30", AT_1530),
    ("fr", "du 23 au 27 mars 2014", ICANN),
    ("fr", "du 19 décembre 2013 au 24 janvier 2014", WINDOW),
    ("fr", "20 octobre - 7 novembre 2014", PLENIPOT),
    ("fr", "24 janvier 2014 de 9h à 11h", MEETING_MORNING),
    ("fr", "1er décembre 2013", (day(2013, 12, 1), day(2013, 12, 2), True)),
    ("fr", "demain", TOMORROW),
    ("fr", "demain à 10h", TOMORROW_10),
    ("fr", "dans 3 jours", IN_3_DAYS),
    ("fr", "dans 2 heures", IN_2_HOURS),
    ("fr", "vendredi prochain 9h", NEXT_FRIDAY_9),
    # Spanish
    ("es", "24 de enero de 2014", JAN24),
    ("es", "24 de enero de 2014 a las 15:00", AT_15),
    ("es", "del 23 al 27 de marzo de 2014", ICANN),
    ("es", "del 19 de diciembre de 2013 al 24 de enero de 2014", WINDOW),
    ("es", "20 de octubre - 7 de noviembre de 2014", PLENIPOT),
    ("es", "24 de enero de 2014 de 9:00 a 11:00", MEETING_MORNING),
    ("es", "mañana", TOMORROW),
    ("es", "mañana a las 10:00", TOMORROW_10),
    ("es", "en 3 días", IN_3_DAYS),
    ("es", "dentro de 2 horas", IN_2_HOURS),
    ("es", "el próximo viernes a las 9:00", NEXT_FRIDAY_9),
    # Russian
    ("ru", "24 января 2014", JAN24),
    ("ru", "24 января 2014 г.", JAN24),
    ("ru", "24 января 2014 в 15:00", AT_15),
    ("ru", "с 23 по 27 марта 2014", ICANN),
    ("ru", "с 19 декабря 2013 по 24 января 2014 года", WINDOW),
    ("ru", "20 октября - 7 ноября 2014", PLENIPOT),
    ("ru", "24 января 2014 с 9:00 до 11:00", MEETING_MORNING),
    ("ru", "завтра", TOMORROW),
    ("ru", "завтра в 10:00", TOMORROW_10),
    ("ru", "через 3 дня", IN_3_DAYS),
    ("ru", "через 2 часа", IN_2_HOURS),
    ("ru", "в следующую пятницу в 9:00", NEXT_FRIDAY_9),
    # Chinese
    ("zh", "2014年1月24日", JAN24),
    ("zh", "二〇一四年一月二十四日", JAN24),
    ("zh", "2014年1月24日 下午3点", AT_15),
    ("zh", "2014年1月24日15:30", AT_1530),
    ("zh", "2014年3月23日至27日", ICANN),
    ("zh", "2013年12月19日至2014年1月24日", WINDOW),
    ("zh", "2014年10月20日到11月7日", PLENIPOT),
    ("zh", "明天", TOMORROW),
    ("zh", "明天上午10点", TOMORROW_10),
    ("zh", "3天后", IN_3_DAYS),
    ("zh", "三天后", IN_3_DAYS),
    ("zh", "2小时后", IN_2_HOURS),
    ("zh", "下周五上午9点", NEXT_FRIDAY_9),
    # Arabic
    ("ar", "24 يناير 2014", JAN24),
    ("ar", "٢٤ يناير ٢٠١٤", JAN24),
    ("ar", "24 كانون الثاني 2014", JAN24),
    ("ar", "٢٤ يناير ٢٠١٤ الساعة ١٥:٠٠", AT_15),
    ("ar", "من 23 إلى 27 مارس 2014", ICANN),
    ("ar", "من ١٩ ديسمبر ٢٠١٣ إلى ٢٤ يناير ٢٠١٤", WINDOW),
    ("ar", "20 أكتوبر - 7 نوفمبر 2014", PLENIPOT),
    ("ar", "غدًا", TOMORROW),
    ("ar", "غدا الساعة 10:00", TOMORROW_10),
    ("ar", "بعد 3 أيام", IN_3_DAYS),
    ("ar", "بعد يومين", IN_2_DAYS),
    ("ar", "بعد ساعتين", IN_2_HOURS),
    ("ar", "الجمعة القادمة الساعة 9:00", NEXT_FRIDAY_9),
]


@pytest.mark.parametrize(("lang", "text", "expected"), TABLE, ids=[f"{r[0]}:{r[1]}" for r in TABLE])
def test_when_reads_every_language(
    lang: str, text: str, expected: tuple[datetime, datetime | None, bool]
) -> None:
    got = parse_when(text, NOW, TZ)
    assert (got.start, got.end, got.all_day) == expected, to_english(text)
    assert got.tentative is False


TENTATIVE = [
    ("en", "TBD (late January 2014)"),
    ("fr", "à confirmer (fin janvier 2014)"),
    ("es", "por confirmar (finales de enero de 2014)"),
    ("ru", "уточняется (конец января 2014)"),
    ("zh", "待定（2014年1月下旬）"),
    ("ar", "يُحدد لاحقًا (أواخر يناير 2014)"),
]


@pytest.mark.parametrize(("lang", "text"), TENTATIVE)
def test_tentative_in_every_language(lang: str, text: str) -> None:
    got = parse_when(text, NOW, TZ)
    assert got.tentative and got.all_day
    assert (got.start, got.end) == (day(2014, 1, 21), day(2014, 2, 1))


@pytest.mark.parametrize(
    "text",
    ["du 27 au 23 mars 2014", "с 27 по 23 марта 2014", "2014年3月27日至2014年3月23日",
     "من 27 مارس 2014 إلى 23 مارس 2014", "del 27 al 23 de marzo de 2014"],
)
def test_an_end_before_its_start_is_refused_in_every_language(text: str) -> None:
    with pytest.raises(UserError):
        parse_when(text, NOW, TZ)


@pytest.mark.parametrize("text", ["pas une date", "не дата", "不是日期", "ليس تاريخا", "no es fecha"])
def test_text_that_is_no_date_is_refused_in_every_language(text: str) -> None:
    with pytest.raises(UserError):
        parse_when(text, NOW, TZ)


def test_numeric_dates_keep_the_english_rules() -> None:
    # Day first, as in English (SPEC 3); the words around them do not change that.
    assert parse_when("03/04/2014", NOW, TZ).start == day(2014, 4, 3)
    assert parse_when("le 03/04/2014", NOW, TZ).start == day(2014, 4, 3)
    assert parse_when("٠٣/٠٤/٢٠١٤", NOW, TZ).start == day(2014, 4, 3)


def test_english_passes_through_unchanged() -> None:
    for text in ("24 January 2014 18:00 CET", "next friday 9am", "from 19 December 2013 to 24 January 2014"):
        assert to_english(text) == text
