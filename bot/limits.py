"""Discord's limits that more than one layer must respect, in one place (DISCORD-NOTES.md)."""

from __future__ import annotations

#: Characters in a message's content.
MESSAGE_LIMIT = 2000
#: Characters in a message nonce (Discord de-duplicates messages by it for a few minutes).
NONCE_LIMIT = 25
#: Characters in a component's custom id.
CUSTOM_ID_LIMIT = 100
#: Seconds Discord waits for the first answer to an interaction.
INTERACTION_DEADLINE = 3.0
