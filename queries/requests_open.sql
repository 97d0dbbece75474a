-- Saisines waiting at a date (« en attente »: received, not closed by then; the macros
-- request_is_waiting and request_status_on, sppe_data.journal), with their age; a step
-- dated after the date does not count.
-- Grain: one row per open request, oldest first; the first $row_limit only (every one
--   when $row_limit is null).
-- Params: $as_of, $pole_code ('all' or a pôle), $domain ('all', 'maitrise_risques' or
--   'ingenierie'), $row_limit (integer or null).
-- Columns: request_id, received_on, age_days, status, priority, caf_name,
--   pole_short_label, request_label, domain, routing, expected_routing, is_routing_ok,
--   total_count (open requests in all, whatever $row_limit).
with

open_requests as (
    select r.*
    from requests as r
    where request_is_waiting(r.received_on, r.closed_on, $as_of::date)
      and ($pole_code = 'all' or r.pole_code = $pole_code)
),

final as (
    select
        r.request_id,
        r.received_on,
        date_diff('day', r.received_on, $as_of::date) as age_days,
        request_status_on(r.received_on, r.taken_up_on, r.closed_on, r.status, $as_of::date)
            as status,
        r.priority,
        d.caf_name,
        p.pole_short_label,
        coalesce(k.activity_label, r.request_nature) as request_label,
        k.domain,
        r.routing,
        k.routing as expected_routing,
        r.routing is not distinct from k.routing as is_routing_ok,
        count(*) over () as total_count
    from open_requests as r
    left join ref_activity_kinds as k on k.activity_kind = r.request_nature
    left join ref_poles as p on p.pole_code = r.pole_code
    left join ref_departements as d on d.caf_code = r.caf_code
    where $domain = 'all' or k.domain = $domain
    order by r.received_on, r.request_id
    limit $row_limit
)

select * from final
