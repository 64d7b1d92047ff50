-- The indexes this project's rules need beyond the store's own (followup compile writes this file).
-- followup run and followup serve create the missing ones when they start (on PostgreSQL with
-- CREATE INDEX CONCURRENTLY, which does not block writes); run this file to create them beforehand.

-- since review (customerId): reviewReminder, reviewRequest
CREATE INDEX CONCURRENTLY IF NOT EXISTS followup_events_review_customerid_9863ec963e ON events (type, (payload ->> 'customerId'), occurred_at) INCLUDE (id);
