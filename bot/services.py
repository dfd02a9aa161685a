"""The domain services the cogs call, built once from the database and the clock."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.database import Database
from bot.db.guilds import GuildRepository, MetaRepository, UserRepository
from bot.db.stakeholders import StakeholderRepository
from bot.domain.clock import Clock
from bot.domain.settings import SettingsService
from bot.domain.stakeholders import StakeholderService


@dataclass
class Services:
    db: Database
    clock: Clock
    meta: MetaRepository
    settings: SettingsService
    stakeholders: StakeholderService

    @classmethod
    def build(cls, db: Database, clock: Clock) -> Services:
        return cls(
            db=db,
            clock=clock,
            meta=MetaRepository(db),
            settings=SettingsService(GuildRepository(db), UserRepository(db), clock),
            stakeholders=StakeholderService(StakeholderRepository(db), clock),
        )
