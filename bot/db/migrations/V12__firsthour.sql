-- Issue 19, point 6: a comment imported from a file that gave no date is marked undated, so
-- listings and exports say "imported" instead of showing the day it was loaded as its date.
-- Comments stored before this keep their date as it is.
ALTER TABLE comments ADD COLUMN undated SMALLINT NOT NULL DEFAULT 0;
