-- Saisines waiting at a date (« en attente »: the macro request_is_waiting), counted by
-- age and pôle: what
-- the backlog by age band is built from (queries/requests_open.sql lists them).
-- Grain: one row per (age in days, pôle), youngest first.
-- Params: $as_of, $pole_code ('all' or a pôle), $domain ('all', 'maitrise_risques' or
--   'ingenierie').
-- Columns: age_days, pole_short_label, requests_count.
with

open_requests as (
    select r.received_on, r.pole_code, r.request_nature
    from requests as r
    where request_is_waiting(r.received_on, r.closed_on, $as_of::date)
      and ($pole_code = 'all' or r.pole_code = $pole_code)
),

final as (
    select
        date_diff('day', r.received_on, $as_of::date) as age_days,
        p.pole_short_label,
        count(*) as requests_count
    from open_requests as r
    left join ref_activity_kinds as k on k.activity_kind = r.request_nature
    left join ref_poles as p on p.pole_code = r.pole_code
    where $domain = 'all' or k.domain = $domain
    group by all
)

select * from final
order by age_days, pole_short_label
