-- Month by month progress of one indicator over one year, for one pôle or all.
-- Grain: one row per month (12). realised counts are null for months after $today.
-- Params: $year, $today, $indicator_code, $pole_code ('all' for the whole mission: every
--   realised row, the Cepaje's overseas engineering included, target share 1).
-- Columns: month_start, month_end, realised_count, cumulative_realised_count,
--   target_trajectory_count (annual target x elapsed share at the month's end).
with

months as (
    select
        make_date($year, m, 1) as month_start,
        last_day(make_date($year, m, 1)) as month_end
    from range(1, 13) as t(m)
),

scope_share as (
    select coalesce(sum(target_share), 0) as target_share
    from ref_poles
    where $pole_code = 'all' or pole_code = $pole_code
),

target as (
    select target_count, counted_from, counted_to
    from ref_targets
    where year = $year and indicator_code = $indicator_code
),

-- The target's counting window (2024: from 1 July), the calendar year without target.
done_activities as (
    select date_trunc('month', a.activity_on)::date as month_start
    from activities_done as a
    inner join ref_activity_kinds as k on k.activity_kind = a.activity_kind
    left join target as t on true
    where k.indicator_code = $indicator_code
      and ($pole_code = 'all' or a.pole_code = $pole_code)
      and a.activity_on >= coalesce(t.counted_from, make_date($year, 1, 1))
      and a.activity_on <= least(coalesce(t.counted_to, make_date($year, 12, 31)), $today)
),

monthly as (
    select month_start, count(*) as realised_count
    from done_activities
    group by month_start
),

final as (
    select
        m.month_start,
        m.month_end,
        case when m.month_start <= $today then coalesce(r.realised_count, 0) end
            as realised_count,
        case when m.month_start <= $today then
            (sum(coalesce(r.realised_count, 0)) over (order by m.month_start))::bigint
        end as cumulative_realised_count,
        t.target_count * s.target_share
            * elapsed_share(t.counted_from, t.counted_to, m.month_end) as target_trajectory_count
    from months as m
    cross join scope_share as s
    left join target as t on true
    left join monthly as r on r.month_start = m.month_start
)

select * from final
order by month_start
