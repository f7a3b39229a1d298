-- The live tail of the event log needs nothing here: one writer commits events in id order, and the
-- server process learns of its own commits in process (Engine/EventFeed.cs). See the PostgreSQL script.
SELECT 1;
