-- followup rule cartAbandonment_followup_email (rules.followup:2)
-- Selects who is due: cartAbandonment sent 3 days ago, in the window (watermark - delay, now - delay].
-- Parameters:
--   $1 watermark (timestamptz)
--   $2 now (timestamptz)
--   $3 channel (text) = "email"
--   $4 event_type (text) = "cartAbandonment"
--   $5 delay (interval) = "4320 minutes"
--   $6 expire (interval) = "1440 minutes"
--   $7 rule (text) = "cartAbandonment_followup_email"
SELECT
  d.id AS trigger_delivery_id,
  d.event_id,
  d.sent_at,
  d.sent_at + $5::interval AS due_at,
  d.sent_at + $5::interval + $6::interval < $2::timestamptz AS expired,
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
  d.sent_at > $1::timestamptz - $5::interval
  AND d.sent_at <= $2::timestamptz - $5::interval
  AND NOT EXISTS (
    SELECT
      1
    FROM
      decisions x
    WHERE
      x.rule = $7::text
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
  AND NOT EXISTS (
    SELECT
      1
    FROM
      tracking t
    WHERE
      t.delivery_id = d.id
      AND t.kind IN ('open', 'click')
      AND t.at <= $2::timestamptz
  )
ORDER BY
  d.sent_at,
  d.id;
