-- See the PostgreSQL script. SQLite keeps the foreign key (dropping it means rebuilding the table) and so the
-- index that makes its cascade cheap; its one writer is not where the engine's throughput is measured.
SELECT 1;
