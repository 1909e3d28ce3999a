-- What a finished job reports besides its images (JSON: best-of-N selection report, notes), written
-- in the same transaction as the 'done' state. NULL for jobs finished before this column existed.
ALTER TABLE jobs ADD COLUMN result TEXT;
