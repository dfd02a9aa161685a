"""`when` in the six UN languages (SPEC section 12): text in Arabic, Chinese, French, Russian or
Spanish is rewritten into the English that the grammar reads ("du 23 au 27 mars 2014" ->
"from 23 to 27 march 2014", "2014年1月24日 下午3点" -> "24 january 2014 3pm"), so the rules of
ranges, ambiguity and time zones are the same in every language.

Only whole words that are dates in one of the languages are rewritten, so English (and zone
names, "CET", "Europe/Paris") passes through unchanged. Digits written as Arabic-Indic
(٢٤), Persian (۲۴) or Chinese numerals (二十四) become ASCII digits.
"""

from __future__ import annotations

import re
import unicodedata

_ENGLISH_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]

#: Month names (and the genitive Russian uses in dates), by month number.
_MONTH_WORDS: dict[int, tuple[str, ...]] = {
    1: ("janvier", "janv", "enero", "ene", "января", "январь", "янв", "يناير", "كانون الثاني"),
    2: ("février", "fevrier", "févr", "fevr", "febrero", "feb", "февраля", "февраль", "фев",
        "فبراير", "شباط"),
    3: ("mars", "marzo", "marta", "марта", "март", "مارس", "آذار"),
    4: ("avril", "avr", "abril", "abr", "апреля", "апрель", "апр", "أبريل", "ابريل", "إبريل",
        "نيسان"),
    5: ("mai", "mayo", "мая", "май", "مايو", "أيار"),
    6: ("juin", "junio", "июня", "июнь", "يونيو", "يونيه", "حزيران"),
    7: ("juillet", "juil", "julio", "июля", "июль", "يوليو", "يوليه", "تموز"),
    8: ("août", "aout", "agosto", "ago", "августа", "август", "авг", "أغسطس", "اغسطس", "آب"),
    9: ("septembre", "sept", "septiembre", "setiembre", "sep", "сентября", "сентябрь", "сен",
        "سبتمبر", "أيلول"),
    10: ("octobre", "oct", "octubre", "октября", "октябрь", "окт", "أكتوبر", "اكتوبر",
         "تشرين الأول"),
    11: ("novembre", "nov", "noviembre", "ноября", "ноябрь", "ноя", "نوفمبر", "تشرين الثاني"),
    12: ("décembre", "decembre", "déc", "dec", "diciembre", "dic", "декабря", "декабрь", "дек",
         "ديسمبر", "كانون الأول"),
}
_MONTHS = {word: _ENGLISH_MONTHS[n - 1] for n, words in _MONTH_WORDS.items() for word in words}

_WEEKDAYS = {
    "monday": ("lundi", "lunes", "понедельник", "الاثنين", "الإثنين"),
    "tuesday": ("mardi", "martes", "вторник", "الثلاثاء"),
    "wednesday": ("mercredi", "miércoles", "miercoles", "среду", "среда", "الأربعاء", "الاربعاء"),
    "thursday": ("jeudi", "jueves", "четверг", "الخميس"),
    "friday": ("vendredi", "viernes", "пятницу", "пятница", "الجمعة"),
    "saturday": ("samedi", "sábado", "sabado", "субботу", "суббота", "السبت"),
    "sunday": ("dimanche", "domingo", "воскресенье", "الأحد", "الاحد"),
}
_WEEKDAY = {word: english for english, words in _WEEKDAYS.items() for word in words}

#: Units of "in 3 days", in every form the languages give them.
_UNITS = {
    "minutes": ("minute", "minutes", "minuto", "minutos", "минуту", "минуты", "минут",
                "دقيقة", "دقائق"),
    "hours": ("heure", "heures", "hora", "horas", "час", "часа", "часов", "ساعة", "ساعات"),
    "days": ("jour", "jours", "día", "dia", "días", "dias", "день", "дня", "дней", "يوم",
             "أيام", "ايام"),
    "weeks": ("semaine", "semaines", "semana", "semanas", "неделю", "недели", "недель",
              "أسبوع", "أسابيع", "اسبوع", "اسابيع"),
    "months": ("mois", "mes", "meses", "месяц", "месяца", "месяцев", "شهر", "أشهر", "شهور"),
}
_UNIT = {word: english for english, words in _UNITS.items() for word in (*words, english)}
#: Arabic duals: "يومين" is two days.
_DUALS = {"يومين": "2 days", "ساعتين": "2 hours", "أسبوعين": "2 weeks", "اسبوعين": "2 weeks",
          "شهرين": "2 months", "دقيقتين": "2 minutes"}

#: Whole phrases, longest first (applied before the words).
_PHRASES = [
    ("après-demain", "in 2 days"), ("apres-demain", "in 2 days"), ("après demain", "in 2 days"),
    ("pasado mañana", "in 2 days"), ("pasado manana", "in 2 days"), ("послезавтра", "in 2 days"),
    ("بعد غد", "in 2 days"), ("aujourd'hui", "today"), ("aujourd’hui", "today"),
    ("jusqu'au", "until"), ("jusqu’au", "until"), ("jusqu'à", "until"), ("jusqu’à", "until"),
    ("à partir du", "from"), ("a partir del", "from"), ("a partir de", "from"),
    ("demain", "tomorrow"), ("mañana", "tomorrow"), ("manana", "tomorrow"),
    ("завтра", "tomorrow"), ("сегодня", "today"), ("hoy", "today"),
    ("غدًا", "tomorrow"), ("غدا", "tomorrow"), ("اليوم", "today"),
    ("midi", "noon"), ("minuit", "midnight"), ("mediodía", "noon"), ("medianoche", "midnight"),
    ("полдень", "noon"), ("полночь", "midnight"),
    # Vague dates ("late January 2014") and tentative ones ("TBD"), as the grammar reads them.
    ("début", "early"), ("debut", "early"), ("mi-", "mid "), ("fin", "late"),
    ("principios de", "early"), ("comienzos de", "early"), ("mediados de", "mid"),
    ("finales de", "late"), ("fines de", "late"),
    ("в начале", "early"), ("начало", "early"), ("в середине", "mid"), ("середина", "mid"),
    ("в конце", "late"), ("конец", "late"),
    ("أوائل", "early"), ("اوائل", "early"), ("منتصف", "mid"), ("أواخر", "late"),
    ("اواخر", "late"),
    ("à confirmer", "tbd"), ("a confirmer", "tbd"), ("à déterminer", "tbd"),
    ("provisoire", "tentative"), ("por confirmar", "tbd"), ("por determinar", "tbd"),
    ("provisional", "tentative"), ("уточняется", "tbd"), ("предварительно", "tentative"),
    ("يحدد لاحقا", "tbd"), ("مبدئي", "tentative"), ("مبدئيا", "tentative"),
]

#: Connectors of ranges and their openers, per language.
_RANGE_WORDS = {
    # French: "du 23 au 27 mars", "de 9h à 11h", "entre le 3 et le 5"
    "du": "from", "au": "to", "entre": "between", "et": "and",
    # Spanish: "del 19 ... al 24 ...", "desde ... hasta ...", "entre ... y ..."
    "del": "from", "al": "to", "desde": "from", "hasta": "to", "y": "and",
    # Russian: "с 23 по 27 марта", "с 9:00 до 11:00"
    "с": "from", "по": "to", "до": "to",
    # Arabic: "من 23 إلى 27 مارس", "حتى"
    "من": "from", "إلى": "to", "الى": "to", "حتى": "to", "وحتى": "to",
}
#: Words that carry nothing once the rest is read (articles, "at", the Russian "year").
_FILLERS = {
    "le", "la", "les", "l", "el", "los", "las", "a", "à", "en", "г", "года", "год", "в",
    "во", "на", "في", "يوم", "الساعة", "ساعة", "de", "dans", "dentro", "через", "بعد",
    "h", "heures",
}
_NEXT = {"prochain", "prochaine", "próximo", "proximo", "próxima", "proxima", "следующий",
         "следующую", "следующее", "القادم", "القادمة", "المقبل", "المقبلة"}
_IN = {"dans", "en", "dentro", "через", "بعد"}

_TRANSLATED_DIGITS = str.maketrans(
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789"
)
_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_NUMBER_RE = re.compile(r"[〇零一二两三四五六七八九十]+")
_CN_WEEKDAYS = {"一": "monday", "二": "tuesday", "三": "wednesday", "四": "thursday",
                "五": "friday", "六": "saturday", "日": "sunday", "天": "sunday"}
_ARABIC_MARKS_RE = re.compile(r"[\u064b-\u0652\u0640]")  # harakat and tatweel


def _chinese_number(text: str) -> str:
    """"二十四" -> "24", "二〇一四" -> "2014", "十" -> "10"."""
    if "十" not in text:
        return "".join(str(_CN_DIGITS[ch]) for ch in text)
    tens, _, ones = text.partition("十")
    value = (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return str(value)


def _chinese(s: str) -> str:
    """Chinese dates and times in the English the grammar reads."""
    s = re.sub(r"(?:星期|礼拜|周)([一二三四五六日天])",
               lambda m: " " + _CN_WEEKDAYS[m.group(1)] + " ", s)
    s = _CN_NUMBER_RE.sub(lambda m: _chinese_number(m.group()), s)
    s = s.replace("号", "日")
    month = lambda m: _ENGLISH_MONTHS[int(m) - 1] if 1 <= int(m) <= 12 else "month" + m  # noqa: E731

    def ymd(m: re.Match[str]) -> str:
        y, mo, d = m.group("y"), m.group("m"), m.group("d")
        return f" {d or ''} {month(mo)} {y or ''} "

    # "2014年3月23日至27日": 23-27 march 2014; "3月23日至4月2日" is left to the general rule.
    s = re.sub(
        r"(?:(?P<y>\d{4})\s*年)?\s*(?P<m>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*日?\s*(?:至|到|-|~)\s*"
        r"(?P<d2>\d{1,2})\s*日(?!\s*\d)",
        lambda m: f" {m.group('d1')}-{m.group('d2')} {month(m.group('m'))} {m.group('y') or ''} ",
        s,
    )
    s = re.sub(
        r"(?:(?P<y>\d{4})\s*年)?\s*(?P<m>\d{1,2})\s*月\s*(?P<p>上旬|中旬|下旬|初|中|底|末)",
        lambda m: " " + {"上旬": "early", "初": "early", "中旬": "mid", "中": "mid"}.get(
            m.group("p"), "late") + f" {month(m.group('m'))} {m.group('y') or ''} ",
        s,
    )
    s = re.sub(r"(?:(?P<y>\d{4})\s*年)?\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*日)?", ymd, s)
    s = s.replace("待定", " tbd ").replace("暂定", " tentative ")
    s = re.sub(r"(?P<y>\d{4})\s*年", r" \g<y> ", s)
    # Times: 下午3点半, 上午9点, 15点30分, 15时
    def clock(m: re.Match[str]) -> str:
        part, h, mi, half = m.group("part"), int(m.group("h")), m.group("mi"), m.group("half")
        if part in ("下午", "晚上", "傍晚") and h < 12:
            h += 12
        if part in ("中午",) and h < 11:
            h += 12
        minutes = 30 if half else int(mi or 0)
        return f" {h}:{minutes:02d} "

    s = re.sub(
        r"(?P<part>上午|早上|凌晨|中午|下午|晚上|傍晚)?\s*(?P<h>\d{1,2})\s*[点點时時]"
        r"(?:\s*(?P<half>半)|\s*(?P<mi>\d{1,2})\s*分?)?",
        clock, s,
    )
    s = re.sub(r"(\d+)\s*(?:个)?(天|小时|小時|分钟|分鐘|周|星期|个月|個月)\s*(?:后|後|以后|之后)",
               lambda m: f" in {m.group(1)} " + {"天": "days", "小时": "hours", "小時": "hours",
                                                  "分钟": "minutes", "分鐘": "minutes",
                                                  "周": "weeks", "星期": "weeks", "个月": "months",
                                                  "個月": "months"}[m.group(2)] + " ", s)
    for word, english in (("后天", " in 2 days "), ("明天", " tomorrow "), ("今天", " today "),
                          ("下个", " next "), ("下", " next "), ("这个", " this "), ("本", " this "),
                          ("至", " to "), ("到", " to "), ("从", " from "), ("自", " from "),
                          ("起", " "), ("日", " "), ("于", " "), ("的", " ")):
        s = s.replace(word, english)
    return s


def _word_sub(s: str, table: dict[str, str]) -> str:
    if not table:
        return s
    words = sorted(table, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w])(" + "|".join(map(re.escape, words)) + r")(?![\w])")
    return pattern.sub(lambda m: f" {table[m.group(1)]} ", s)


_LETTERS_RE = re.compile(r"[^\W\d_]+")
_ALL_WORDS = {**_MONTHS, **_WEEKDAY}


def foreign(text: str) -> bool:
    """Whether `text` has any word or digit this module would rewrite."""
    if re.search(r"[\u0600-\u06ff\u0400-\u04ff\u4e00-\u9fff〇]", text):
        return True
    words = {w.lower() for w in _LETTERS_RE.findall(text)}
    return bool(words & (set(_ALL_WORDS) | _NEXT | set(_UNIT) | {"du", "del", "au", "al", "le", "el", "la", "les", "de", "dans"}
                         | {p for p, _ in _PHRASES}))


def to_english(text: str) -> str:
    """`text` with the date words of the other five languages in English; English text comes
    back as it was."""
    if not foreign(text):
        return text
    s = unicodedata.normalize("NFC", text).translate(_TRANSLATED_DIGITS).lower()
    s = _ARABIC_MARKS_RE.sub("", s).replace("،", ",").replace("؟", "?")
    s = s.replace("’", "'")
    if re.search(r"[\u4e00-\u9fff〇]", s):
        s = _chinese(s)
    for phrase, english in _PHRASES:
        s = re.sub(r"(?<![\w])" + re.escape(phrase) + r"(?![\w])", f" {english} ", s)
    s = _word_sub(s, _DUALS)
    # French "1er", Spanish "1º", Russian "1-го"
    s = re.sub(r"\b(\d{1,2})(?:er|re|º|°|-?го|-?е)(?![\w])", r"\1", s)
    # "dans 3 jours", "en 2 horas", "через 2 дня", "بعد 3 أيام" -> "in 3 days"
    units = "|".join(sorted(map(re.escape, _UNIT), key=len, reverse=True))
    ins = "|".join(map(re.escape, sorted(_IN, key=len, reverse=True)))
    s = re.sub(
        rf"(?<![\w])(?:{ins})\s+(?:de\s+)?(\d+|une?|un)?\s*({units})(?![\w])",
        lambda m: f" in {m.group(1) if m.group(1) and m.group(1).isdigit() else 1}"
                  f" {_UNIT[m.group(2)]} ",
        s,
    )
    # "vendredi prochain", "el próximo viernes", "в следующую пятницу", "الجمعة القادمة"
    nexts = "|".join(map(re.escape, sorted(_NEXT, key=len, reverse=True)))
    days = "|".join(map(re.escape, sorted(_WEEKDAY, key=len, reverse=True)))
    s = re.sub(rf"(?<![\w])({days})\s+(?:{nexts})(?![\w])", lambda m: f" next {_WEEKDAY[m.group(1)]} ", s)
    s = re.sub(rf"(?<![\w])(?:{nexts})\s+({days})(?![\w])", lambda m: f" next {_WEEKDAY[m.group(1)]} ", s)
    s = _word_sub(s, _MONTHS)
    s = _word_sub(s, _WEEKDAY)
    # French "de 9h à 11h", Spanish "de X a Y": "de" opens a range only when "à"/"a" follows.
    s = re.sub(r"(?<![\w])de\s+(.+?)\s+(?:à|a)\s+(?!las\b)", r" from \1 to ", s)
    s = re.sub(r"(?<![\w])(?:à|a)\s+(?:las\s+|la\s+)?(?=\d)", " at ", s)
    s = re.sub(r"(?<![\w])(?:в|во|الساعة)\s+(?=\d)", " at ", s)
    s = _word_sub(s, _RANGE_WORDS)
    s = _word_sub(s, {w: "" for w in _FILLERS})
    # "15h30" -> "15:30", "15h" / "15 h" / "15 hs" -> "15:00" (which dateparser reads too)
    s = re.sub(r"(?<![\w:])(\d{1,2})h(\d{2})(?![\w])", r"\1:\2", s)
    s = re.sub(r"(?<![\w:])(\d{1,2})\s*(?:h|hs|hrs)(?![\w])", r"\1:00", s)
    # Arabic "صباحًا"/"مساءً": am/pm
    s = re.sub(r"(\d{1,2}(?::\d{2})?)\s*(?:صباحا|ص)(?![\w])", r"\1am", s)
    s = re.sub(r"(\d{1,2}(?::\d{2})?)\s*(?:مساء|م)(?![\w])", r"\1pm", s)
    return re.sub(r"\s+", " ", s).strip()
