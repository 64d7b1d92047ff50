-- followup rule cartAbandonment_followup_email (rules.followup:2)
-- Selects who is due: cartAbandonment sent 3 days ago, in the window (watermark - delay, now - delay].
-- Parameters:
--   $1 watermark (timestamptz)
--   $2 now (timestamptz)
--   $3 event_type (text) = "cartAbandonment"
--   $4 delay (interval) = "4320 minutes"
--   $5 rule (text) = "cartAbandonment_followup_email"
SELECT
  d.id AS trigger_delivery_id,
  d.event_id,
  d.sent_at,
  (e.payload ->> 'email') AS recipient,
  e.payload AS event,
  NULL::jsonb AS profile
FROM
  deliveries d
  JOIN events e ON e.id = d.event_id
WHERE
  d.sent_at > $1::timestamptz - $4::interval
  AND d.sent_at <= $2::timestamptz - $4::interval
  AND NOT EXISTS (
    SELECT
      1
    FROM
      decisions x
    WHERE
      x.rule = $5::text
      AND x.event_id = d.event_id
  )
  AND d.status = 'sent'
  AND d.rule IS NULL
  AND e.type = $3::text
  AND d.first_original
  AND NOT EXISTS (
    SELECT
      1
    FROM
      tracking t
    WHERE
      t.delivery_id = d.id
      AND t.kind IN ('open', 'click')
      AND t.at <= $2::timestamptz
  );
