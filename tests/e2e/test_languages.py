"""Languages end to end (SPEC section 12): a member's short journey (register, comment, the
comments list, upcoming, a reminder and its DM) in each of the six UN languages, chosen by the
Discord client's locale or by /language; the commands synced with their localizations (Arabic
included); and the emulator checking localizations as Discord does."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.domain.clock import FakeClock
from bot.emulator import DiscordEmulator
from bot.harness import TOKEN, RunningBot, World, run_bot_in_process, settle
from tests.outside_calendar import OutsideCalendar, VEvent, calendar

pytestmark = pytest.mark.e2e

#: English words that must not be left in an answer in French or Spanish (not "a", "no", "on":
#: words of those languages too). Arabic, Chinese and Russian answers may hold no Latin word.
ENGLISH = set(
    ["the", "an", "and", "or", "of", "to", "in", "at", "by", "for", "from", "with", "your", "you", "yours", "is", "are", "was", "were", "be", "will", "been", "has", "have", "it", "its", "this", "that", "these", "not", "yet", "set", "registered", "recorded", "reminder", "reminders", "comment", "comments", "upcoming", "events", "event", "days", "day", "next", "more", "than", "profile", "attributed", "as", "verified", "unverified", "coordinator", "can", "revision", "page", "previous", "meeting", "deadline", "window", "open", "closes", "tentative", "sent", "late", "offline", "due", "dms", "cancels", "lists", "mine"]
)


@dataclass(frozen=True)
class Journey:
    lang: str
    locale: str  # the member's Discord client
    chosen: str | None  # what they pass to /language, if anything
    remind_when: str  # "in 2 days" in their language
    text: str  # their comment (user text, in their language)
    registered: str  # words their /stakeholder register answer must hold
    group: str  # "Civil Society" as the UN writes it in their language
    listed: str
    upcoming: str
    reminded: str
    dm: str


JOURNEYS = [
    Journey("en", "en-US", None, "in 2 days", "Strengthen multistakeholder cooperation.",
            "Registered", "Civil Society", "Comments on C11", "Upcoming events",
            "set for", "Reminder:"),
    Journey("fr", "fr", None, "dans 2 jours", "Renforcer la coopération multipartite.",
            "Inscription enregistrée", "Société civile", "Commentaires sur C11",
            "Événements à venir", "programmé pour", "Rappel :"),
    Journey("es", "es-419", None, "en 2 días", "Reforzar la cooperación entre múltiples partes.",
            "Registro hecho", "Sociedad civil", "Comentarios sobre C11", "Próximos eventos",
            "programado para", "Recordatorio:"),
    Journey("ru", "en-US", "ru", "через 2 дня", "Укрепить многостороннее сотрудничество.",
            "Регистрация выполнена", "Гражданское общество", "Комментарии к C11",
            "Предстоящие события", "установлено на", "Напоминание:"),
    Journey("zh", "zh-TW", None, "2天后", "加强多利益攸关方合作。",
            "已登记", "民间社会", "对 C11 的评论", "即将举行的活动", "已设置提醒", "提醒："),
    Journey("ar", "ar", None, "بعد يومين", "تعزيز التعاون بين أصحاب المصلحة المتعددين.",
            "تم التسجيل", "المجتمع المدني", "تعليقات على C11", "الفعاليات القادمة",
            "ضُبط التذكير", "تذكير:"),
]

#: The heading of /coverage.
COVERAGE = {"en": "Coverage of C11", "fr": "Couverture de C11", "es": "Cobertura de C11",
            "ru": "Охват C11", "zh": "C11 的覆盖情况", "ar": "تغطية C11"}

#: The heading of /reminders mine.
MINE = {"en": "Your reminders", "fr": "Vos rappels", "es": "Sus recordatorios",
        "ru": "Ваши напоминания", "zh": "您的提醒", "ar": "تذكيراتك"}

#: Names and user text that may stay as written in any language.
ALLOWED = {"ISOC", "C11", "ICANN", "Vision", "International", "cooperation", "Singapore", "IGF",
           "MAG", "Europe", "Zurich", "Discord", "Google", "Outlook", "Apple", "URL", "Web",
           "UTC", "iCalendar"}


def english_left(content: str, lang: str) -> list[str]:
    """English words left in `content` besides names, user text, commands in backticks,
    mentions and Discord timestamps."""
    text = re.sub(r"`[^`]*`", " ", content)
    text = re.sub(r"<[^>]*>", " ", text)
    words = [w for w in re.findall(r"\w+", text) if w.isascii() and not w.isdigit()]
    words = [w for w in words if w not in ALLOWED]
    if lang in ("zh", "ar", "ru"):
        return words  # no Latin word at all beyond names
    return [w for w in words if w.lower() in ENGLISH]


def check(content: str, journey: Journey, *expected: str) -> None:
    for piece in expected:
        assert piece in content, (journey.lang, piece, content)
    if journey.lang != "en":
        left = english_left(content, journey.lang)
        assert not left, (journey.lang, left, content)


async def poke_and_drain(bot: RunningBot) -> None:
    engine = bot.bot.engine
    assert engine is not None
    await engine.run_once()
    await engine.drain()


@pytest.mark.parametrize("journey", JOURNEYS, ids=[j.lang for j in JOURNEYS])
async def test_a_members_journey_in_their_language(
    journey: Journey, world: World, bot: RunningBot, clock: FakeClock
) -> None:
    coord = world.coordinator
    await world.run(coord, "draft create", code="C11", title="International cooperation")
    await world.run(coord, "draft section", code="C11", section="Vision", text="A shared vision.")
    await world.run(coord, "event add", title="ICANN 49", when="23-27 March 2014", kind="meeting",
                    location="Singapore")
    member = world.emu.add_user(f"member-{journey.lang}", locale=journey.locale)
    world.emu.add_member(world.guild, member)

    if journey.chosen:
        res = await world.run(member, "language", code=journey.chosen)
        assert res.ephemeral
        check(res.content, journey, "Русский")

    res = await world.run(member, "stakeholder register", organization="ISOC", group="Civil Society")
    assert res.ephemeral
    check(res.content, journey, journey.registered, journey.group, "ISOC")
    res = await world.run(member, "stakeholder show")
    check(res.content.replace(member.name, ""), journey, journey.group, "ISOC")

    res = await world.run(member, "comment", draft="C11", section="vision", text=journey.text)
    assert not res.ephemeral
    check(res.content.replace(journey.text, ""), journey, "#1", journey.group)

    res = await world.run(member, "comments list", draft="C11")
    check(res.content.replace(journey.text, ""), journey, journey.listed, journey.group)

    res = await world.run(member, "coverage", draft="C11")
    check(res.content, journey, COVERAGE[journey.lang], journey.group)

    res = await world.run(member, "upcoming", days=366)
    check(res.content, journey, journey.upcoming, "ICANN 49")

    res = await world.run(member, "remind", when=journey.remind_when, text="ISOC")
    assert res.ephemeral and "<t:" in res.content
    check(res.content, journey, journey.reminded)
    res = await world.run(member, "reminders mine")
    check(res.content, journey, MINE[journey.lang], "ISOC")

    clock.advance(days=2, minutes=1)
    await poke_and_drain(bot)
    dms = world.emu.dm_messages(member)
    assert len(dms) == 1
    check(dms[0].content, journey, journey.dm)

    # An error is in their language too.
    res = await world.run(member, "comments list", draft="C99")
    assert res.ephemeral
    check(res.content.replace("C99", ""), journey)


async def test_the_server_language_is_for_members_whose_client_is_none_of_the_six(
    world: World, bot: RunningBot
) -> None:
    res = await world.run(world.coordinator, "settings language", code="fr")
    assert res.content.startswith("This server's language is now Français")  # an en-US client
    german = world.emu.add_user("hans", locale="de")
    world.emu.add_member(world.guild, german)
    res = await world.run(german, "upcoming")
    assert "Aucun événement" in res.content
    # Their own choice wins over both; without a code, back to the automatic choice.
    res = await world.run(german, "language", code="es")
    assert res.content == "Le responderé en Español."
    res = await world.run(german, "upcoming")
    assert "No hay eventos" in res.content
    res = await world.run(german, "settings show")
    assert res.content.startswith("**Ajustes de este servidor**")
    assert "Gobiernos, Sector privado, Sociedad civil" in res.content
    assert "Idioma: Français (fr)" in res.content and "Modo de verificación: **abierto**" in res.content
    res = await world.run(german, "language")
    assert "Français" in res.content and "Discord" in res.content
    res = await world.run(world.alice, "settings language", code="ar")
    assert res.ephemeral and "Only coordinators" in res.content  # alice's client is en-US


async def test_commands_are_synced_in_the_six_languages(world: World, bot: RunningBot) -> None:
    commands = {c["name"]: c for c in world.emu.commands["global"]}
    comment = commands["comment"]
    assert comment["name_localizations"] == {
        "fr": "commenter", "es-ES": "comentar", "es-419": "comentar", "ru": "комментировать",
        "zh-CN": "评论", "zh-TW": "评论", "ar": "تعليق",
    }
    assert comment["description_localizations"]["ar"].startswith("التعليق على قسم")
    draft = next(o for o in comment["options"] if o["name"] == "draft")
    assert draft["name_localizations"]["fr"] == "projet"
    assert draft["description_localizations"]["zh-CN"] == "草案，例如 C11"
    kind = next(o for o in comment["options"] if o["name"] == "kind")
    amendment = next(c for c in kind["choices"] if c["value"] == "amendment")
    assert amendment["name_localizations"]["es-419"] == "enmienda"
    assert amendment["name_localizations"]["ar"] == "تعديل"
    stakeholder = commands["stakeholder"]
    register = next(o for o in stakeholder["options"] if o["name"] == "register")
    assert register["name_localizations"]["ru"] == "зарегистрироваться"


async def test_the_emulator_checks_localizations_as_discord_does(emulator: DiscordEmulator) -> None:
    url = f"{emulator.api_base}/applications/{emulator.application_id}/commands"
    headers = {"Authorization": f"Bot {TOKEN}"}
    good = {"name": "comment", "description": "Comment on a draft", "type": 1,
            "name_localizations": {"fr": "commenter", "ar": "تعليق", "zh-CN": "评论"},
            "description_localizations": {"fr": "Commenter un projet"}}
    bad = [
        {**good, "name_localizations": {"fr": "Commenter"}},  # upper case
        {**good, "name_localizations": {"fr": "faire un commentaire"}},  # spaces
        {**good, "name_localizations": {"fr": "c" * 33}},  # too long
        {**good, "name_localizations": {"xx": "commenter"}},  # no such locale
        {**good, "description_localizations": {"ru": ""}},  # empty description
        {**good, "description_localizations": {"ru": "д" * 101}},  # too long
        {**good, "options": [
            {"type": 3, "name": "draft", "description": "The draft",
             "name_localizations": {"fr": "projet"}},
            {"type": 3, "name": "section", "description": "The section",
             "name_localizations": {"fr": "projet"}},  # two options one name in French
        ]},
    ]
    async with aiohttp.ClientSession() as http:
        async with http.put(url, json=[good], headers=headers) as response:
            assert response.status == 200
        for payload in bad:
            async with http.put(url, json=[payload], headers=headers) as response:
                assert response.status == 400, payload
                body = await response.json()
                assert body["code"] == 50035


async def test_a_draft_in_arabic_is_exported_right_to_left(world: World, bot: RunningBot) -> None:
    import io

    import docx

    coord = world.coordinator
    await world.run(coord, "draft create", code="C11", title="International cooperation")
    await world.run(coord, "draft section", code="C11", section="Vision", text="A shared vision.")
    await world.run(world.alice, "stakeholder register", organization="ISOC", group="Civil Society")
    await world.run(world.alice, "comment", draft="C11", section="vision", text="Agreed.")
    amal = world.emu.add_user("amal", locale="ar")
    world.emu.add_member(world.guild, amal)
    res = await world.run(amal, "draft list")
    assert res.content.startswith("**المسودات** (1)")
    assert "قسم واحد، تعليق واحد. لا فترة للتعليقات" in res.content
    res = await world.run(amal, "draft show", code="C11")
    assert "مراجعة 1" in res.content and "`/draft show`" in res.content
    res = await world.run(coord, "draft edit", code="C11", language="ar")
    assert "language" in res.content and "ar" in res.content
    res = await world.run(amal, "draft export", code="C11", format="docx")
    assert res.answer is not None
    assert res.answer.content.startswith("النص الموحد لـ**C11**")
    assert "قسم واحد، تعليق واحد (دون التعليقات المسحوبة)." in res.answer.content
    [(name, data)] = res.answer.attachments
    assert name.endswith(".docx")
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    assert "المجتمع المدني (1)" in texts
    assert any(t.startswith("ISOC, المجتمع المدني (غير موثّق) (تعليق, ") for t in texts), texts
    bidi = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}bidi"
    assert all(p._p.pPr is not None and p._p.pPr.find(bidi) is not None for p in document.paragraphs)
    # Its Markdown export stays the format imports read back: English labels.
    res = await world.run(world.bob, "draft export", code="C11", format="markdown")
    assert res.answer is not None
    [(_, data)] = res.answer.attachments
    assert "· ISOC, Civil Society (unverified): Agreed." in data.decode()


async def test_refusals_a_member_meets_first_are_in_their_language(
    world: World, bot: RunningBot
) -> None:
    await world.run(world.coordinator, "draft create", code="C11", title="International cooperation")
    await world.run(world.coordinator, "draft section", code="C11", section="Vision", text="Text.")
    marie = world.emu.add_user("marie", locale="fr")
    world.emu.add_member(world.guild, marie)
    res = await world.run(marie, "comment", draft="C11", section="vision", text="Bonjour")
    assert res.ephemeral and res.content.startswith("Il vous faut d'abord un profil")
    res = await world.run(marie, "stakeholder register", organization="ISOC", group="Academia")
    assert res.ephemeral and "n'est pas un groupe de parties prenantes" in res.content
    res = await world.run(marie, "settings language", code="fr")
    assert res.ephemeral and res.content.startswith("Seuls les coordonnateurs")
    res = await world.run(marie, "remind", when="pas une date", text="x")
    assert res.ephemeral and res.content.startswith("Je n'ai pas pu lire « pas une date »")
    res = await world.run(marie, "remind", when="24 janvier 2500", text="x")
    assert res.ephemeral and res.content.startswith("L'année 2500 est hors du calendrier")
    await world.run(marie, "stakeholder register", organization="ISOC", group="Civil Society")
    await world.run(marie, "comment", draft="C11", section="vision", text="Bonjour")
    res = await world.run(marie, "comments edit", id=1, text="Bonjour à tous")
    assert res.content.startswith("Modifié : **#1** · Vision · ISOC, Société civile (non vérifié)")
    res = await world.run(marie, "comments show", id=1)
    assert "commentaire · fait sur la révision 1" in res.content
    assert "Attribution : **ISOC, Société civile** · non vérifiée au moment du commentaire" in res.content
    assert "**Historique des modifications** (1 texte antérieur)" in res.content
    pierre = world.emu.add_user("pierre", locale="fr")
    world.emu.add_member(world.guild, pierre)
    res = await world.run(pierre, "comments withdraw", id=1)
    assert res.content.startswith("Seul l'auteur de #1 peut le retirer")
    res = await world.run(marie, "comments withdraw", id=1)
    assert res.content.startswith("**#1** sur Vision retiré")


async def test_a_form_and_its_submit_are_in_the_members_language(
    world: World, bot: RunningBot
) -> None:
    await world.run(world.coordinator, "draft create", code="C11", title="International cooperation")
    await world.run(world.coordinator, "draft section", code="C11", section="Vision", text="Text.")
    li = world.emu.add_user("li", locale="zh-CN")
    world.emu.add_member(world.guild, li)
    await world.run(li, "stakeholder register", organization="CAICT", group="Government")
    res = await world.run(li, "comment", draft="C11", section="vision", kind="amendment")
    assert res.modal is not None
    assert res.modal["title"] == "对 C11 · Vision 的修正"
    [row] = res.modal["components"]
    [field] = row["components"]
    assert field["label"] == "您提议的文本" and field["value"] == "Text."
    sub = await world.emu.submit_modal(
        li, res.modal["custom_id"], {field["custom_id"]: "新文本。"},
        guild=world.guild, channel=world.channel, timeout=15,
    )
    answer = (await settle(sub)).answer
    assert answer is not None and answer.content.startswith("已记录 **#1**")
    assert "CAICT, 政府" in answer.content and "修正" in answer.content


async def test_a_hidden_comments_author_is_told_in_their_own_language(
    world: World, bot: RunningBot
) -> None:
    await world.run(world.coordinator, "draft create", code="C11", title="International cooperation")
    await world.run(world.coordinator, "draft section", code="C11", section="Vision", text="Text.")
    ivan = world.emu.add_user("ivan", locale="en-US")
    world.emu.add_member(world.guild, ivan)
    await world.run(ivan, "language", code="ru")
    await world.run(ivan, "stakeholder register", organization="RIPN", group="Technical Community")
    await world.run(ivan, "comment", draft="C11", section="vision", text="Реклама")
    await world.run(world.coordinator, "comments hide", id=1, reason="Advertising")
    res = await world.run(ivan, "stakeholder list")
    assert res.content.startswith("**Заинтересованные стороны** (1)")
    assert "**Техническое сообщество** (1)" in res.content and "не подтверждён" in res.content
    [dm] = world.emu.dm_messages(ivan)
    assert dm.content.startswith("Координатор скрыл ваш комментарий **#1** к C11 · Vision.")
    assert "Причина: Advertising" in dm.content


@dataclass(frozen=True)
class CalendarWords:
    """What the calendar's answers say in one language."""

    added: str  # /event add's answer
    buttons: list[str]  # the RSVP buttons' labels
    answered: str  # a click's private answer
    repeats: str  # /event show of a weekly series: its rule
    weekday: str  # Tuesday
    feed: str  # /calendar feed


CALENDAR = {
    "en": CalendarWords("Added to the calendar:", ["Going", "Maybe", "Not going"],
                        "You answered **Going**", "Repeats every", "Tuesday",
                        "This server's calendar, always up to date:"),
    "fr": CalendarWords("Ajouté au calendrier :", ["Je viens", "Peut-être", "Je ne viens pas"],
                        "Vous avez répondu **Je viens**", "Se répète chaque", "mardi",
                        "Le calendrier de ce serveur, toujours à jour :"),
    "es": CalendarWords("Añadido al calendario:", ["Asistiré", "Quizás", "No asistiré"],
                        "Respondió **Asistiré**", "Se repite cada", "martes",
                        "El calendario de este servidor, siempre actualizado:"),
    "ru": CalendarWords("Добавлено в календарь:", ["Приду", "Возможно", "Не приду"],
                        "Ваш ответ — **Приду**", "Повторяется еженедельно", "вторник",
                        "Календарь этого сервера, всегда актуальный:"),
    "zh": CalendarWords("已添加到日历：", ["参加", "可能参加", "不参加"],
                        "的回复是 **参加**", "重复：每", "星期二", "本服务器的日历，始终保持最新："),
    "ar": CalendarWords("أُضيف إلى التقويم:", ["سأحضر", "ربما", "لن أحضر"],
                        "أجبت **سأحضر**", "يتكرر أسبوعيًا", "الثلاثاء", "تقويم هذا الخادم، محدَّث دائمًا:"),
}
#: 23 March 2014 in an autocomplete label, as each language writes a short date (CLDR).
AUTOCOMPLETE_DATE = {"en": "23 Mar 2014", "fr": "23 mars 2014", "es": "23 mar 2014",
                     "ru": "23 мар. 2014\u202fг.", "zh": "2014年3月23日", "ar": "23 مارس 2014"}
FEED_URL = re.compile(r"https?://\S+")


@pytest.fixture
async def served(world: World, db_url: str, clock: FakeClock) -> AsyncIterator[RunningBot]:
    """The bot serving its calendar feed (on a loopback port), following loopback calendars."""
    async with run_bot_in_process(
        world.emu, db_url, clock=clock, http_port=0, subscriptions_allow_private=True
    ) as running:
        yield running


def labels(message: object) -> list[str]:
    rows = getattr(message, "components", [])
    return [c.get("label") for row in rows for c in row.get("components", [])]


@pytest.mark.parametrize("journey", JOURNEYS, ids=[j.lang for j in JOURNEYS])
async def test_the_calendar_answers_in_the_readers_language(
    journey: Journey, world: World, served: RunningBot
) -> None:
    words = CALENDAR[journey.lang]
    coord = world.coordinator
    await world.run(coord, "language", code=journey.lang)

    # /event add of a meeting: the card, and the RSVP buttons labelled in their language.
    res = await world.run(coord, "event add", title="ICANN 49", when="23 March 2014 09:00",
                          kind="meeting", location="Singapore")
    assert res.answer is not None and not res.answer.ephemeral
    check(res.answer.content, journey, words.added, "ICANN 49", "Singapore")
    assert labels(res.answer) == words.buttons
    eid = re.search(r"\*\*#(\d+)", res.answer.content)
    assert eid is not None
    got = await world.emu.click(coord, res.answer, f"rsvp:{eid.group(1)}:going",
                                guild=world.guild, channel=world.channel)
    assert got.ephemeral
    check(got.content, journey, words.answered, "ICANN 49")

    # The event autocomplete writes its date the reader's way.
    [choice] = await world.complete(coord, "event show", "id", id="ICANN")
    check(choice["name"], journey, f"#1 ICANN 49 · {AUTOCOMPLETE_DATE[journey.lang]}")

    # /event show of a weekly series: its rule, its next dates, its RSVP counts.
    res = await world.run(coord, "event add", title="IGF MAG", when="25 March 2014 14:00",
                          kind="meeting", repeat="weekly", count=4, timezone="Europe/Zurich")
    sid = re.search(r"\*\*#(\d+)", res.text())
    assert sid is not None
    res = await world.run(coord, "event show", id=sid.group(1))
    check(res.content, journey, words.repeats, words.weekday, "IGF MAG", "<t:")
    assert labels(res.answer) == words.buttons

    # /calendar feed: the address (a URL, not checked for words) and how to use it.
    res = await world.run(coord, "calendar feed")
    assert res.ephemeral and FEED_URL.search(res.content)
    check(FEED_URL.sub(" ", res.content), journey, words.feed, "Google", "`PUBLIC_URL`")


async def test_a_subscriptions_changes_are_announced_in_the_servers_language(
    world: World, served: RunningBot
) -> None:
    coord = world.coordinator  # an en-US client: answers to them stay English
    await world.run(coord, "settings language", code="fr")
    await world.run(coord, "reminders channel", channel=world.reminders)
    icann = datetime(2014, 3, 23, 9, tzinfo=UTC)
    french = Journey("fr", "fr", None, "", "", "", "", "", "", "", "")
    async with OutsideCalendar() as outside:
        outside.body = calendar([VEvent("1", "ICANN 49", icann), VEvent("2", "IGF MAG", icann)])
        res = await world.run(coord, "calendar subscribe", url=outside.url())
        assert "Following **ITU events** as subscription #1" in res.content
        posted = await world.emu.wait_for_messages(1, world.reminders)
        assert "Calendrier **ITU events** suivi (abonnement n° 1)" in posted[0].content
        check(posted[0].content.replace("ITU events", ""), french, "2 événements ajoutés")
        later = datetime(2014, 3, 25, 9, tzinfo=UTC)
        outside.body = calendar([VEvent("1", "ICANN 49", later)])
        res = await world.run(coord, "calendar refresh")
        assert "1 moved, 1 removed (1 event)" in res.content
    posted = await world.emu.wait_for_messages(2, world.reminders)
    change = posted[1].content
    assert change.startswith("Changements dans le calendrier **ITU events** (abonnement n° 1) :")
    check(change.replace("ITU events", ""), french, f"Déplacé : **ICANN 49** du <t:{int(icann.timestamp())}:F>",
          f"au <t:{int(later.timestamp())}:F>", "Retiré du calendrier : **IGF MAG**")
