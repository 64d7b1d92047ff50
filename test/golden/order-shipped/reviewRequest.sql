-- followup rule reviewRequest (rules.followup:4)
-- Selects who is due: orderShipped sent 5 days ago, in the window (watermark - delay, now - delay].
-- Parameters:
--   $1 watermark (timestamptz)
--   $2 now (timestamptz)
--   $3 event_type (text) = "orderShipped"
--   $4 value (jsonb) = "true"
--   $5 values (text[]) = ["FR","BE","DE","NL"]
--   $6 link, since_event (text) = "review"
--   $7 delay (interval) = "7200 minutes"
--   $8 rule (text) = "reviewRequest"
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
  d.sent_at > $1::timestamptz - $7::interval
  AND d.sent_at <= $2::timestamptz - $7::interval
  AND NOT EXISTS (
    SELECT
      1
    FROM
      decisions x
    WHERE
      x.rule = $8::text
      AND x.event_id = d.event_id
  )
  AND d.status = 'sent'
  AND d.rule IS NULL
  AND e.type = $3::text
  AND d.first_original
  AND (
    coalesce(p.payload -> 'emailOptIn' = $4::jsonb, FALSE)
    AND coalesce(
      (p.payload ->> 'country') = ANY ($5::TEXT[]),
      FALSE
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
        AND (
          t.link = $6::text
          OR strpos(t.url, $6::text) > 0
        )
    )
    AND NOT EXISTS (
      SELECT
        1
      FROM
        events s
      WHERE
        s.type = $6::text
        AND s.occurred_at > d.sent_at
        AND s.occurred_at <= $2::timestamptz
        AND (s.payload ->> 'customerId') = (e.payload ->> 'customerId')
    )
  );
