-- The live tail of the event log (Engine/EventFeed.cs, the dashboard's server-sent events).
-- 1. A reader must know when every event up to an id is committed: ids are taken in insert order, commits
--    come in any order. The feed reads the id sequence, then a snapshot, and delivers up to that id once
--    every transaction of the snapshot has ended. That holds only if a transaction has its xid before it
--    takes an event id: this trigger gives it one before the first row of the statement is made (the id
--    default runs before the row's insert, which would otherwise assign the xid after it).
-- 2. A NOTIFY per inserting statement (sent at commit, once per transaction) wakes the one listener of
--    each server process; no listener, no cost beyond the queue entry.
CREATE FUNCTION event_take_xid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_current_xact_id();
  RETURN NULL;
END $$;
CREATE TRIGGER event_take_xid BEFORE INSERT ON event FOR EACH STATEMENT EXECUTE FUNCTION event_take_xid();

CREATE FUNCTION event_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('grantha_event', '');
  RETURN NULL;
END $$;
CREATE TRIGGER event_notify AFTER INSERT ON event FOR EACH STATEMENT EXECUTE FUNCTION event_notify();
