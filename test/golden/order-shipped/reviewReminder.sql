-- followup rule reviewReminder (rules.followup:15)
-- Selects who is due: reviewRequest sent 3 days ago, in the window (watermark - delay, now - delay].
-- Parameters:
--   $1 watermark (timestamptz)
--   $2 now (timestamptz)
--   $3 trigger_rule (text) = "reviewRequest"
--   $4 since_event (text) = "review"
--   $5 delay (interval) = "4320 minutes"
--   $6 rule (text) = "reviewReminder"
SELECT
  d.id AS trigger_delivery_id,
  d.event_id,
  d.sent_at,
  (p.payload ->> 'email') AS recipient,
  e.payload AS event,
  p.payload AS profile
FROM
  deliveries d
  JOIN events e ON e.id = d.event_id
  LEFT JOIN LATERAL (
    SELECT
      pv.payload
    FROM
      profiles pv
    WHERE
      pv.key = (e.payload ->> 'customerId')
      AND pv.updated_at <= $2::timestamptz
    ORDER BY
      pv.updated_at DESC
    LIMIT
      1
  ) p ON TRUE
WHERE
  d.sent_at > $1::timestamptz - $5::interval
  AND d.sent_at <= $2::timestamptz - $5::interval
  AND NOT EXISTS (
    SELECT
      1
    FROM
      decisions x
    WHERE
      x.rule = $6::text
      AND x.event_id = d.event_id
  )
  AND d.status = 'sent'
  AND d.rule = $3::text
  AND (
    NOT EXISTS (
      SELECT
        1
      FROM
        tracking t
      WHERE
        t.delivery_id = d.id
        AND t.kind IN ('open', 'click')
        AND t.at <= $2::timestamptz
    )
    AND NOT EXISTS (
      SELECT
        1
      FROM
        tracking t
      WHERE
        t.delivery_id = d.id
        AND t.kind IN ('click')
        AND t.at <= $2::timestamptz
    )
    AND NOT EXISTS (
      SELECT
        1
      FROM
        events s
      WHERE
        s.type = $4::text
        AND s.occurred_at > d.sent_at
        AND s.occurred_at <= $2::timestamptz
        AND (s.payload ->> 'customerId') = (e.payload ->> 'customerId')
    )
  );
