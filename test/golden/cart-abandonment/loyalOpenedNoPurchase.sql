-- followup rule loyalOpenedNoPurchase (rules.followup:28)
-- Selects who is due: cartAbandonment sent 1 day ago, in the window (watermark - delay, now - delay].
-- Parameters:
--   $1 watermark (timestamptz)
--   $2 now (timestamptz)
--   $3 event_type (text) = "cartAbandonment"
--   $4 trigger_channel (text) = "email"
--   $5 value (jsonb) = "true"
--   $6 since_event (text) = "purchase"
--   $7 delay (interval) = "1440 minutes"
--   $8 rule (text) = "loyalOpenedNoPurchase"
SELECT
  d.id AS trigger_delivery_id,
  d.event_id,
  d.sent_at,
  (e.payload ->> 'phone') AS recipient,
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
  AND d.channel = $4::text
  AND d.first_of_channel
  AND (
    EXISTS (
      SELECT
        1
      FROM
        tracking t
      WHERE
        t.delivery_id = d.id
        AND t.kind IN ('open', 'click')
        AND t.at <= $2::timestamptz
        AND (
          t.kind = 'click'
          OR NOT t.machine
        )
    )
    AND coalesce(e.payload -> 'loyaltyMember' = $5::jsonb, FALSE)
    AND NOT (coalesce((e.payload ->> 'phone'), '') = '')
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
