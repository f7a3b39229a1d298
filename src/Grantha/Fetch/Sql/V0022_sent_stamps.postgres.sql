-- Politeness at the wire (docs/fetch.md): each request's start is stamped right before it is sent, and the
-- time its first byte left is recorded; the next start to the host counts from that, not from a reservation.
ALTER TABLE host_state ADD COLUMN last_stamp_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE host_state ADD COLUMN prev_stamp_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE host_state ADD COLUMN last_sent_at  BIGINT NOT NULL DEFAULT 0;
