-- Documents as they really are (SPEC section 9). A section remembers the part it belongs to,
-- as its heading reads ("Operative paragraphs", "Annex I"), and its item label as written
-- ("12.", "(iv)", "a)", "Article 3"; NULL for the part's own text), so a draft of any shape is
-- written back as it came. A draft keeps its notes (the paragraphs before its first part).
ALTER TABLE sections ADD COLUMN part TEXT;
ALTER TABLE sections ADD COLUMN label TEXT;
ALTER TABLE drafts ADD COLUMN notes TEXT;
