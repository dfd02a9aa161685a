-- Reminders that reach people (SPEC section 10). Event reminders in the reminder channel may
-- mention one role, and only it.
ALTER TABLE guild_settings ADD COLUMN reminder_role_id BIGINT;
-- A member's own reminders are numbered 1, 2, 3 ... per member, so /reminders mine and
-- /reminders cancel name them by a small number that does not change as others are added.
ALTER TABLE reminders ADD COLUMN member_seq INTEGER;
CREATE INDEX reminders_member_seq ON reminders (user_id, member_seq);
