-- followup rule bigCartLastChance (rules.followup:14)
-- Selects who is due: cartAbandonment sent 7 days ago, in the window (watermark - delay, now - delay].
-- Parameters:
--   $1 watermark (timestamptz)
--   $2 now (timestamptz)
--   $3 channel (text) = "email"
--   $4 event_type (text) = "cartAbandonment"
--   $5 value (numeric) = 100
--   $6 values (text[]) = ["EUR","USD"]
--   $7 since_event (text) = "purchase"
--   $8 delay (interval) = "10080 minutes"
--   $9 expire (interval) = "1440 minutes"
--   $10 rule (text) = "bigCartLastChance"
SELECT
  d.id AS trigger_delivery_id,
  d.event_id,
  d.sent_at,
  d.sent_at + $8::interval AS due_at,
  d.sent_at + $8::interval + $9::interval < $2::timestamptz AS expired,
  EXISTS (
    SELECT
      1
    FROM
      suppressions sp
    WHERE
      sp.channel = $3::text
      AND sp.address = translate(
        btrim(
          (e.payload ->> 'email'),
          E'\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'
        ),
        'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
        'abcdefghijklmnopqrstuvwxyz'
      )
      AND sp.at <= $2::timestamptz
  ) AS suppressed,
  translate(
    btrim(
      (e.payload ->> 'email'),
      E'\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'
    ),
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    'abcdefghijklmnopqrstuvwxyz'
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
      x.rule = $10::text
      AND x.event_id = d.event_id
  )
  AND d.status = 'sent'
  AND d.rule IS NULL
  AND e.type = $4::text
  AND d.id = (
    SELECT
      o.id
    FROM
      deliveries o
    WHERE
      o.event_id = d.event_id
      AND o.status = 'sent'
      AND o.rule IS NULL
    ORDER BY
      o.sent_at,
      o.id
    LIMIT
      1
  )
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
      CASE
        WHEN (e.payload ->> 'cartTotal') ~ '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$'
        AND length((e.payload ->> 'cartTotal')) <= 1000 THEN (e.payload ->> 'cartTotal')::numeric
      END >= $5::numeric,
      FALSE
    )
    AND coalesce(
      (e.payload ->> 'currency') = ANY ($6::TEXT[]),
      FALSE
    )
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
