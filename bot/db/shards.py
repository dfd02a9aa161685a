"""Which guilds a process serves when several share one database (`SHARD_COUNT`, `SHARD_IDS`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ShardFilter:
    """Which guilds this process serves: guild shard = (guild_id >> 22) % count."""

    count: int = 1
    ids: tuple[int, ...] = (0,)

    def sql(self, column: str = "r.guild_id", *, or_due_before: str | None = None) -> str:
        """An AND clause keeping our shards' rows (plus, with `or_due_before`, any row due
        before that parameter: the takeover of a dead process's overdue reminders)."""
        if self.count <= 1:
            return ""
        ids = ",".join(str(int(i)) for i in self.ids)
        mine = f"(({column} >> 22) % {int(self.count)}) IN ({ids})"
        if or_due_before:
            return f" AND ({mine} OR r.due_at < {or_due_before})"
        return f" AND {mine}"

    def owns(self, guild_id: int) -> bool:
        return self.count <= 1 or (guild_id >> 22) % self.count in self.ids
