-- Progress of the six targeted indicators for one year, as of one day.
-- Grain: one row per (pôle or the whole mission) x indicator; pole_code = 'all' is the
-- mission total (targets of the pôles add up to the mission's, shares summing to 1).
-- Params: $year (integer), $today (date: activities after it are not counted yet).
-- Columns: pole_code, pole_label, pole_short_label, pole_sort, indicator_code, indicator_label,
--   short_label, indicator_sort, realised_count, target_count, elapsed_share,
--   expected_count, achieved_share, pace_ratio, pace_status, forecast_count.
with

kinds as (
    select activity_kind, indicator_code
    from ref_activity_kinds
    where indicator_code is not null
),

done_activities as (
    select a.pole_code, k.indicator_code
    from activities as a
    inner join kinds as k on k.activity_kind = a.activity_kind
    where a.status = 'done'
      and a.activity_on >= make_date($year, 1, 1)
      and a.activity_on <= least(make_date($year, 12, 31), $today)
),

realised as (
    select pole_code, indicator_code, count(*) as realised_count
    from done_activities
    group by all
),

targets as (
    select
        indicator_code,
        target_count,
        elapsed_share(counted_from, counted_to, $today) as elapsed_share
    from ref_targets
    where year = $year
),

by_pole as (
    select
        p.pole_code,
        p.pole_label,
        p.pole_short_label,
        p.sort_order as pole_sort,
        i.indicator_code,
        i.indicator_label,
        i.short_label,
        i.sort_order as indicator_sort,
        coalesce(r.realised_count, 0) as realised_count,
        t.target_count * p.target_share as target_count,
        t.elapsed_share
    from ref_poles as p
    cross join ref_indicators as i
    left join targets as t on t.indicator_code = i.indicator_code
    left join realised as r
        on r.pole_code = p.pole_code and r.indicator_code = i.indicator_code
),

mission as (
    select
        'all' as pole_code,
        'Mission (5 pôles)' as pole_label,
        'Mission' as pole_short_label,
        0 as pole_sort,
        indicator_code,
        any_value(indicator_label) as indicator_label,
        any_value(short_label) as short_label,
        any_value(indicator_sort) as indicator_sort,
        sum(realised_count) as realised_count,
        sum(target_count) as target_count,
        any_value(elapsed_share) as elapsed_share
    from by_pole
    group by indicator_code
),

unioned as (
    select * from mission
    union all
    select * from by_pole
),

final as (
    select
        pole_code,
        pole_label,
        pole_short_label,
        pole_sort,
        indicator_code,
        indicator_label,
        short_label,
        indicator_sort,
        realised_count::bigint as realised_count,
        target_count,
        elapsed_share,
        target_count * elapsed_share as expected_count,
        realised_count / nullif(target_count, 0) as achieved_share,
        realised_count / nullif(target_count * elapsed_share, 0) as pace_ratio,
        pace_status(realised_count, target_count * elapsed_share) as pace_status,
        -- Run-rate to the end of the operating window: what the pace so far would give.
        case when elapsed_share > 0 then realised_count / elapsed_share end as forecast_count
    from unioned
)

select * from final
order by pole_sort, indicator_sort
