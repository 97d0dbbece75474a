-- Done activities of some kinds, month by month, for every pôle (small multiples).
-- Grain: one row per pôle x month of the period (zeros included; months after $today
--   have a null count).
-- Params: $date_from, $date_to (first and last day of whole months), $today,
--   $activity_kinds (list of activity kinds).
-- Columns: pole_code, pole_short_label, pole_sort, month_start, done_count.
with

months as (
    select unnest(generate_series($date_from::date, $date_to::date, interval 1 month))::date
        as month_start
),

done as (
    select a.pole_code, date_trunc('month', a.activity_on)::date as month_start, count(*) as n
    from activities_done as a
    where list_contains($activity_kinds, a.activity_kind)
      and a.activity_on between $date_from and least($date_to, $today)
    group by all
),

final as (
    select
        p.pole_code,
        p.pole_short_label,
        p.sort_order as pole_sort,
        m.month_start,
        case when m.month_start <= $today then coalesce(d.n, 0) end::bigint as done_count
    from ref_poles as p
    cross join months as m
    left join done as d on d.pole_code = p.pole_code and d.month_start = m.month_start
)

select * from final
order by pole_sort, month_start
