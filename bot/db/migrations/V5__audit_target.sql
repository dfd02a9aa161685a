-- A comment's edit history (/comments show) reads the audit rows of that one comment.
CREATE INDEX audit_target ON audit (target, id);
