-- Page bodies (~90 KB) and extraction records are compressed when stored; PostgreSQL's default
-- pglz costs more CPU than the whole parse of a page on a small machine. lz4 is several times
-- cheaper at a similar ratio. Servers built without lz4 keep pglz.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE page_blob ALTER COLUMN body SET COMPRESSION lz4;
    ALTER TABLE extraction ALTER COLUMN record SET COMPRESSION lz4;
    ALTER TABLE staged_import ALTER COLUMN decisions SET COMPRESSION lz4;
  END IF;
END $$;
