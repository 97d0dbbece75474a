-- Saisines received in a period: counts by status at $today (the macro
-- request_status_on: a step dated after $today does not count), routing check and delays.
-- Grain: one row per (breakdown, key): breakdown 'all' (one row), 'pole' (every pôle of
--   the scope, zeros included), 'caf' (each requesting Caf) and 'priority' (each
--   priority met).
-- Params: $date_from, $date_to, $today, $pole_code ('all' or a pôle).
-- Delays in days: take-up = taken_up_on - received_on (requests taken up by $today);
--   closing = closed_on - received_on (requests done by $today; refusals, cancellations
--   and redirections excluded).
--   Percentiles are continuous (linear interpolation).
-- Columns: breakdown, key, label, sort_key, received_count, not_taken_up_count (status
--   received), in_progress_count, done_count, refused_count, cancelled_count,
--   redirected_count, misrouted_count,
--   high_priority_count, take_up_median_days, take_up_p90_days, close_median_days,
--   close_p90_days.
with

scoped as (
    select
        r.*,
        k.routing as expected_routing,
        request_status_on(r.received_on, r.taken_up_on, r.closed_on, r.status, $today::date)
            as status_on,
        case when r.taken_up_on <= $today::date
            then date_diff('day', r.received_on, r.taken_up_on) end as take_up_days,
        case when status_on = 'done'
            then date_diff('day', r.received_on, r.closed_on) end as close_days
    from requests as r
    left join ref_activity_kinds as k on k.activity_kind = r.request_nature
    where r.received_on between $date_from and least($date_to, $today)
      and ($pole_code = 'all' or r.pole_code = $pole_code)
),

grouped as (
    select
        case when grouping(pole_code) = 0 then 'pole'
            when grouping(caf_code) = 0 then 'caf'
            when grouping(priority) = 0 then 'priority' else 'all' end as breakdown,
        case when grouping(pole_code) = 0 then pole_code
            when grouping(caf_code) = 0 then caf_code
            when grouping(priority) = 0 then coalesce(priority, 'non_renseigne')
            else 'all' end as key,
        count(*) as received_count,
        count(*) filter (where status_on = 'received') as not_taken_up_count,
        count(*) filter (where status_on = 'in_progress') as in_progress_count,
        count(*) filter (where status_on = 'done') as done_count,
        count(*) filter (where status_on = 'refused') as refused_count,
        count(*) filter (where status_on = 'cancelled') as cancelled_count,
        count(*) filter (where status_on = 'redirected') as redirected_count,
        count(*) filter (where routing is distinct from expected_routing) as misrouted_count,
        count(*) filter (where priority = 'haute') as high_priority_count,
        quantile_cont(take_up_days, 0.5) as take_up_median_days,
        quantile_cont(take_up_days, 0.9) as take_up_p90_days,
        quantile_cont(close_days, 0.5) as close_median_days,
        quantile_cont(close_days, 0.9) as close_p90_days
    from scoped
    group by grouping sets ((), (pole_code), (caf_code), (priority))
),

keys as (
    select 'all' as breakdown, 'all' as key, 'Ensemble' as label, 0 as sort_key
    union all
    select 'pole', pole_code, pole_short_label, sort_order
    from ref_poles
    where $pole_code = 'all' or pole_code = $pole_code
    union all
    select 'caf', g.key, d.caf_name, 0
    from grouped as g
    left join ref_departements as d on d.caf_code = g.key
    where g.breakdown = 'caf'
    union all
    select 'priority', key, key,
        case key when 'haute' then 1 when 'normale' then 2 when 'basse' then 3 else 4 end
    from grouped
    where breakdown = 'priority'
),

final as (
    select
        k.breakdown,
        k.key,
        k.label,
        k.sort_key,
        coalesce(g.received_count, 0)::bigint as received_count,
        coalesce(g.not_taken_up_count, 0)::bigint as not_taken_up_count,
        coalesce(g.in_progress_count, 0)::bigint as in_progress_count,
        coalesce(g.done_count, 0)::bigint as done_count,
        coalesce(g.refused_count, 0)::bigint as refused_count,
        coalesce(g.cancelled_count, 0)::bigint as cancelled_count,
        coalesce(g.redirected_count, 0)::bigint as redirected_count,
        coalesce(g.misrouted_count, 0)::bigint as misrouted_count,
        coalesce(g.high_priority_count, 0)::bigint as high_priority_count,
        g.take_up_median_days,
        g.take_up_p90_days,
        g.close_median_days,
        g.close_p90_days
    from keys as k
    left join grouped as g on g.breakdown = k.breakdown and g.key = k.key
)

select * from final
order by breakdown, sort_key, key
