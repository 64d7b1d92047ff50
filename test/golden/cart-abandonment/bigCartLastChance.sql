-- followup rule bigCartLastChance (rules.followup:14)
-- Selects who is due: cartAbandonment sent 7 days ago, in the window (watermark - delay, now - delay].
-- Parameters:
--   $1 watermark (timestamptz)
--   $2 now (timestamptz)
--   $3 event_type (text) = "cartAbandonment"
--   $4 value (numeric) = 100
--   $5 values (text[]) = ["EUR","USD"]
--   $6 since_event (text) = "purchase"
--   $7 delay (interval) = "10080 minutes"
--   $8 rule (text) = "bigCartLastChance"
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
    AND coalesce(
      CASE jsonb_typeof(e.payload -> 'cartTotal')
        WHEN 'number' THEN (e.payload -> 'cartTotal')::numeric
        WHEN 'string' THEN CASE
          WHEN (e.payload ->> 'cartTotal') ~ '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$'
          AND length((e.payload ->> 'cartTotal')) <= 1000 THEN (e.payload ->> 'cartTotal')::numeric
        END
      END >= $4::numeric,
      FALSE
    )
    AND coalesce(
      (e.payload ->> 'currency') = ANY ($5::TEXT[]),
      FALSE
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
