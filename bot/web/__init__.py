"""The bot's web server: the live calendar feed and a health check (SPEC 11)."""

from bot.web.server import FeedServer, RateLimiter

__all__ = ["FeedServer", "RateLimiter"]
