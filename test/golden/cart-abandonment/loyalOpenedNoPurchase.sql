-- followup rule loyalOpenedNoPurchase (rules.followup:28)
-- Selects who is due: cartAbandonment sent 1 day ago, in the window (watermark - delay, now - delay].
-- Parameters:
--   $1 watermark (timestamptz)
--   $2 now (timestamptz)
--   $3 channel (text) = "sms"
--   $4 event_type (text) = "cartAbandonment"
--   $5 trigger_channel (text) = "email"
--   $6 value (boolean) = true
--   $7 since_event (text) = "purchase"
--   $8 delay, expire (interval) = "1440 minutes"
--   $9 rule (text) = "loyalOpenedNoPurchase"
SELECT
  d.id AS trigger_delivery_id,
  d.event_id,
  d.sent_at,
  d.sent_at + $8::interval AS due_at,
  d.sent_at + $8::interval + $8::interval < $2::timestamptz AS expired,
  EXISTS (
    SELECT
      1
    FROM
      suppressions sp
    WHERE
      sp.channel = $3::text
      AND sp.address = btrim(
        (e.payload ->> 'phone'),
        E'\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'
      )
      AND sp.at <= $2::timestamptz
  ) AS suppressed,
  btrim(
    (e.payload ->> 'phone'),
    E'\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'
  ) AS recipient,
  e.payload AS event,
  NULL::jsonb AS profile
FROM
  deliveries d
  JOIN events e ON e.id = d.event_id
WHERE
  d.sent_at > $1::timestamptz - $8::interval
  AND d.sent_at <= $2::timestamptz - $8::interval
  AND NOT EXISTS (
    SELECT
      1
    FROM
      decisions x
    WHERE
      x.rule = $9::text
      AND x.event_id = d.event_id
  )
  AND d.status = 'sent'
  AND d.rule IS NULL
  AND e.type = $4::text
  AND d.channel = $5::text
  AND d.id = (
    SELECT
      o.id
    FROM
      deliveries o
    WHERE
      o.event_id = d.event_id
      AND o.status = 'sent'
      AND o.rule IS NULL
      AND o.channel = $5::text
    ORDER BY
      o.sent_at,
      o.id
    LIMIT
      1
  )
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
    AND coalesce(
      CASE jsonb_typeof(e.payload -> 'loyaltyMember')
        WHEN 'boolean' THEN (e.payload -> 'loyaltyMember')::boolean
      END = $6::boolean,
      FALSE
    )
    AND NOT (coalesce((e.payload ->> 'phone'), '') = '')
    AND NOT EXISTS (
      SELECT
        1
      FROM
        events s
      WHERE
        s.type = $7::text
        AND s.occurred_at > d.sent_at
        AND s.occurred_at <= $2::timestamptz
        AND s.id <> d.event_id
        AND (s.payload ->> 'customerId') = (e.payload ->> 'customerId')
    )
  )
ORDER BY
  d.sent_at,
  d.id;
