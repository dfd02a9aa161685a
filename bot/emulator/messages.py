"""The messages the bot sent and the attachments stored with them: create, edit, record, JSON."""

from __future__ import annotations

import asyncio
import inspect
import logging
import mimetypes
import time
from typing import Any

from .models import SentMessage, StoredAttachment, iso
from .rest import Files, HTTPError
from .validation import validate_message
from .world import World

log = logging.getLogger(__name__)


class MessageStore(World):
    """Messages (channel, DM, interaction responses and followups) and stored attachments."""

    def _store_attachment(
        self, filename: str, data: bytes, content_type: str | None, description: str | None = None
    ) -> StoredAttachment:
        if content_type in (None, "application/octet-stream"):
            guessed = mimetypes.guess_type(filename)[0]
            content_type = guessed or content_type
        att = StoredAttachment(
            id=self._ids.next(),
            filename=filename,
            data=data,
            content_type=content_type,
            description=description,
        )
        self._attachments[att.id] = att
        return att

    def _attachments_from(
        self,
        payload: dict[str, Any],
        files: Files,
        existing: list[StoredAttachment] | None = None,
    ) -> list[StoredAttachment] | None:
        """New attachment list for a create/edit, or None if the payload leaves them alone."""
        meta: dict[str, dict[str, Any]] = {}
        keep: list[StoredAttachment] = []
        listed = payload.get("attachments")
        existing_by_id = {a.id: a for a in existing or []}
        if isinstance(listed, list):
            for item in listed:
                if not isinstance(item, dict):
                    continue
                try:
                    aid = int(item.get("id", -1))
                except (TypeError, ValueError):
                    continue
                if aid in existing_by_id:
                    keep.append(existing_by_id[aid])
                else:
                    meta[str(aid)] = item
        if not files and not isinstance(listed, list):
            return None
        new: list[StoredAttachment] = []
        for index, filename, data, ct in files:
            m = meta.get(str(index), {})
            new.append(
                self._store_attachment(
                    m.get("filename") or filename, data, ct, m.get("description")
                )
            )
        return keep + new

    def _attachment_json(self, a: StoredAttachment) -> dict[str, Any]:
        url = f"{self.base_url}/attachments/{a.id}/{a.filename}"
        data: dict[str, Any] = {
            "id": str(a.id),
            "filename": a.filename,
            "size": len(a.data),
            "url": url,
            "proxy_url": url,
            "content_type": a.content_type,
        }
        if a.description:
            data["description"] = a.description
        return data

    def message_json(self, m: SentMessage) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(m.id),
            "channel_id": str(m.channel_id),
            "author": self.bot_user.to_json(),
            "content": m.content,
            "embeds": m.embeds,
            "attachments": [self._attachment_json(a) for a in m.stored_attachments],
            "components": m.components,
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": m.tts,
            "type": 20 if m.interaction_id is not None else 0,
            "timestamp": iso(m.created_at_wall),
            "edited_timestamp": iso(m.edited_at_wall) if m.edited_at_wall else None,
            "flags": m.flags,
        }
        if m.guild_id is not None:
            data["guild_id"] = str(m.guild_id)
        if m.nonce is not None:
            data["nonce"] = m.nonce
        if m.webhook:
            data["webhook_id"] = str(self.application_id)
            data["application_id"] = str(self.application_id)
        return data

    def _new_message(
        self,
        payload: dict[str, Any],
        files: Files,
        *,
        channel_id: int,
        guild_id: int | None,
        webhook: bool,
        interaction_id: int | None = None,
        extra_flags: int = 0,
    ) -> SentMessage:
        nonce = payload.get("nonce")
        msg = SentMessage(
            id=self._ids.next(),
            channel_id=channel_id,
            guild_id=guild_id,
            author_id=self.bot_user.id,
            content=str(payload.get("content") or ""),
            embeds=list(payload.get("embeds") or []),
            components=list(payload.get("components") or []),
            stored_attachments=self._attachments_from(payload, files) or [],
            allowed_mentions=payload.get("allowed_mentions"),
            nonce=None if nonce is None else str(nonce),
            flags=int(payload.get("flags") or 0) | extra_flags,
            webhook=webhook,
            interaction_id=interaction_id,
            tts=bool(payload.get("tts", False)),
        )
        self._messages_by_id[msg.id] = msg
        return msg

    def _apply_edit(
        self,
        msg: SentMessage,
        payload: dict[str, Any],
        files: Files,
    ) -> None:
        problem = validate_message(payload)
        if problem:
            raise HTTPError(400, f"Invalid Form Body: {problem}", 50035)
        if "content" in payload:
            msg.content = str(payload["content"] or "")
        if "embeds" in payload:
            msg.embeds = list(payload["embeds"] or [])
        if "components" in payload:
            msg.components = list(payload["components"] or [])
        if "allowed_mentions" in payload:
            msg.allowed_mentions = payload["allowed_mentions"]
        if payload.get("flags") is not None:
            msg.flags = (msg.flags & 64) | int(payload["flags"])
        atts = self._attachments_from(payload, files, msg.stored_attachments)
        if atts is not None:
            msg.stored_attachments = atts
        msg.flags &= ~128  # no longer loading
        msg.edits += 1
        msg.edited_at_wall = time.time()

    def _record_channel_message(self, msg: SentMessage) -> None:
        self.messages.append(msg)
        self._channel_messages.setdefault(msg.channel_id, []).append(msg)
        self.stats.message_creates += 1
        if self._message_waiters:
            total = len(self.messages)
            in_channel = len(self._channel_messages[msg.channel_id])
            for n, cid, fut in list(self._message_waiters):
                if fut.done():
                    continue
                if (cid is None and total >= n) or (cid == msg.channel_id and in_channel >= n):
                    fut.set_result(None)
        hook = self.on_message
        if hook is not None:
            try:
                result = hook(msg)
                if inspect.isawaitable(result):
                    task = asyncio.ensure_future(result)
                    self._hook_tasks.add(task)
                    task.add_done_callback(self._hook_tasks.discard)
            except Exception:
                log.exception("on_message hook failed")
