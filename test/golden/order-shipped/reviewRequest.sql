-- followup rule reviewRequest (rules.followup:4)
-- Selects who is due: orderShipped sent 5 days ago, in the window (watermark - delay, now - delay].
-- Parameters:
--   $1 watermark (timestamptz)
--   $2 now (timestamptz)
--   $3 channel (text) = "email"
--   $4 event_type (text) = "orderShipped"
--   $5 value (boolean) = true
--   $6 values (text[]) = ["FR","BE","DE","NL"]
--   $7 link, since_event (text) = "review"
--   $8 delay (interval) = "7200 minutes"
--   $9 expire (interval) = "1440 minutes"
--   $10 rule (text) = "reviewRequest"
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
          (p.payload ->> 'email'),
          E'\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'
        ),
        'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
        'abcdefghijklmnopqrstuvwxyz'
      )
      AND sp.at <= $2::timestamptz
  ) AS suppressed,
  translate(
    btrim(
      (p.payload ->> 'email'),
      E'\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'
    ),
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    'abcdefghijklmnopqrstuvwxyz'
  ) AS recipient,
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
    coalesce(
      CASE jsonb_typeof(p.payload -> 'emailOptIn')
        WHEN 'boolean' THEN (p.payload -> 'emailOptIn')::boolean
      END = $5::boolean,
      FALSE
    )
    AND coalesce(
      (p.payload ->> 'country') = ANY ($6::TEXT[]),
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
          t.link = $7::text
          OR strpos(t.url, $7::text) > 0
        )
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
