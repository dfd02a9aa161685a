-- Languages (SPEC section 12). A member's own language (NULL: automatic, from their Discord
-- client), the server's language for what the bot posts on its own, a draft's language for its
-- consolidated text, and the language a member's own reminder is delivered in (fixed when it
-- is set, since a DM has no interaction to take a locale from).
ALTER TABLE user_settings ADD COLUMN language TEXT;
ALTER TABLE guild_settings ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE drafts ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE reminders ADD COLUMN language TEXT;
