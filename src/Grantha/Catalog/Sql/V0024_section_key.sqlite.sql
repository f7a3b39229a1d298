-- See the PostgreSQL script: SQLite keeps the key (dropping it means rebuilding the table), and its checks are
-- in-process lookups, not locks.
SELECT 1;
