-- A member's own reminders may repeat (SPEC 10, /remind repeat). Only the next occurrence is
-- stored; the rule ("weekly", "monthly:31" ...) and the member's timezone travel with it, so the
-- next one is planned at the same local clock time when this one is sent or missed.
ALTER TABLE reminders ADD COLUMN repeat TEXT;
ALTER TABLE reminders ADD COLUMN timezone TEXT;
