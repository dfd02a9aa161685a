"""Forms (Discord modals) for long text, whose submits keep working across restarts.

A command that takes long text (a comment, an amendment, a section) opens a form when its
`text` option is left out. The command decides first, never deferring (SPEC section 3): it
checks permission, window and verification and reads the prefill, then `open_form` sends the
modal, or the command answers with the refusal. The form's custom id carries what its submit
needs, ``form:<name>:<args>`` (at most 100 characters), so no state lives in the process: the
submit is dispatched by `FormListener` to the handler registered with `@form("name")`, also
for a form opened before a restart. The submit does the write (it may defer) and answers as
the command would; its errors are one private sentence, as a command's are.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord.ext import commands

from bot.answering import ack_lock, claim_once, start_deadline_guard, stop_deadline_guard
from bot.app import APOLOGY, choose_language, fit, user_message
from bot.errors import UserError
from bot.i18n import Msg, render
from bot.limits import CUSTOM_ID_LIMIT
from bot.text import clean_control
from bot.ui import lang_of, reply, truncate

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]

#: Discord's limits: a modal's title, a text input's label and value.
TITLE_LIMIT = 45
LABEL_LIMIT = 45
FORM_TEXT_LIMIT = 4000
#: The custom id of a form's one text input.
FIELD = "text"
#: A form nobody submits is forgotten by discord.py after this long (the submit still works).
FORM_TIMEOUT = 900.0
TOO_SLOW = Msg("That took too long to open the form; please run the command again.")

Handler = Callable[[Interaction, str, str], Awaitable[None]]
FORMS: dict[str, Handler] = {}
_NAME = re.compile(r"[a-z][a-z0-9-]{0,15}")
_ID = re.compile(r"form:(?P<name>[a-z][a-z0-9-]{0,15}):(?P<args>.*)", re.DOTALL)


def form(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated ``(interaction, args, text)`` coroutine as the submit of the
    forms named `name` (a stable name: it is in the custom ids of forms already open)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"form name {name!r} must be 1-16 lowercase letters, digits or dashes")

    def register(handler: Handler) -> Handler:
        FORMS[name] = handler
        return handler

    return register


def form_id(name: str, args: str) -> str:
    custom_id = f"form:{name}:{args}"
    if len(custom_id) > CUSTOM_ID_LIMIT:
        raise ValueError(f"custom id {custom_id!r} is longer than {CUSTOM_ID_LIMIT}")
    return custom_id


class TextForm(discord.ui.Modal):
    """A form with one multi-line text input (up to 4,000 characters). It does nothing on
    submit itself: `FormListener` answers every form by its custom id."""

    def __init__(
        self,
        custom_id: str,
        title: str,
        label: str,
        value: str | None = None,
        placeholder: str | None = None,
    ) -> None:
        super().__init__(title=truncate(title, TITLE_LIMIT), custom_id=custom_id, timeout=FORM_TIMEOUT)
        prefill = value if value and len(value) <= FORM_TEXT_LIMIT else None
        self.add_item(
            discord.ui.TextInput(
                label=truncate(label, LABEL_LIMIT),
                custom_id=FIELD,
                style=discord.TextStyle.paragraph,
                default=prefill,
                placeholder=truncate(placeholder, 100) if placeholder else None,
                max_length=FORM_TEXT_LIMIT,
                required=True,
            )
        )


async def open_form(
    interaction: Interaction,
    name: str,
    args: str,
    *,
    title: str,
    label: str,
    value: str | None = None,
    placeholder: str | None = None,
) -> None:
    """Answer `interaction` with the form `name(args)`. The command has decided everything
    before; a form cannot follow a deferral, so the deadline guard is stopped first. A `Msg`
    title, label or placeholder is shown in the member's language."""
    stop_deadline_guard(interaction)
    lang = lang_of(interaction)
    modal = TextForm(
        form_id(name, args), render(title, lang), render(label, lang), value,
        render(placeholder, lang) if placeholder else None,
    )
    async with ack_lock(interaction):
        if interaction.response.is_done():
            raise UserError(TOO_SLOW)
        await interaction.response.send_modal(modal)


def submitted_text(interaction: Interaction) -> str:
    """The text typed into a form's one text input, control characters removed."""
    data: Any = interaction.data or {}
    for row in data.get("components") or ():
        for field in row.get("components") or ():
            if field.get("custom_id") == FIELD and isinstance(field.get("value"), str):
                return clean_control(field["value"])
    return ""


async def dispatch(interaction: Interaction) -> bool:
    """Answer a form's submit by its custom id; False when it is no form of ours."""
    if interaction.type is not discord.InteractionType.modal_submit:
        return False
    data: Any = interaction.data or {}
    match = _ID.fullmatch(str(data.get("custom_id") or ""))
    if match is None or match["name"] not in FORMS:
        return False
    start_deadline_guard(interaction)
    try:
        await choose_language(interaction)
        db = interaction.client.services.db
        if not await claim_once(db, interaction.id, int(time.time() * 1000)):
            log.warning("form submit %s was delivered again; not executing it twice", interaction.id)
            return True
        await FORMS[match["name"]](interaction, match["args"], submitted_text(interaction))
    except Exception as exc:
        message = user_message(exc)
        if message is None:
            log.error(
                "form %s failed for user %s in guild %s",
                match["name"], interaction.user.id, interaction.guild_id, exc_info=exc,
            )
            message = APOLOGY
        try:
            await reply(interaction, fit(message), ephemeral=True)
        except discord.HTTPException:
            log.exception("could not deliver an error message")
    finally:
        stop_deadline_guard(interaction)
    return True


class FormListener(commands.Cog, name="Forms"):
    """Answers every form's submit (`dispatch`)."""

    @commands.Cog.listener()
    async def on_interaction(self, interaction: Interaction) -> None:
        await dispatch(interaction)


async def install(bot: commands.Bot) -> None:
    """Add the form listener once (each cog with forms calls this in its setup)."""
    if bot.get_cog("Forms") is None:
        await bot.add_cog(FormListener())
