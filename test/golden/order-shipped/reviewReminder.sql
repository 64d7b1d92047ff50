-- followup rule reviewReminder (rules.followup:15)
-- Selects who is due: reviewRequest sent 3 days ago, in the window (watermark - delay, now - delay].
-- Parameters:
--   $1 watermark (timestamptz)
--   $2 now (timestamptz)
--   $3 channel (text) = "email"
--   $4 trigger_rule (text) = "reviewRequest"
--   $5 since_event (text) = "review"
--   $6 delay (interval) = "4320 minutes"
--   $7 expire (interval) = "2880 minutes"
--   $8 rule (text) = "reviewReminder"
SELECT
  d.id AS trigger_delivery_id,
  d.event_id,
  d.sent_at,
  d.sent_at + $6::interval AS due_at,
  d.sent_at + $6::interval + $7::interval < $2::timestamptz AS expired,
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
  d.sent_at > $1::timestamptz - $6::interval
  AND d.sent_at <= $2::timestamptz - $6::interval
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
  AND d.rule = $4::text
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
        s.type = $5::text
        AND s.occurred_at > d.sent_at
        AND s.occurred_at <= $2::timestamptz
        AND s.id <> d.event_id
        AND (s.payload ->> 'customerId') = (e.payload ->> 'customerId')
    )
  )
ORDER BY
  d.sent_at,
  d.id;
