-- Progress of the six targeted indicators for one year, as of one day.
-- Grain: one row per (pôle or the whole mission) x indicator; pole_code = 'all' is the
-- mission total (targets of the pôles add up to the mission's, shares summing to 1). The
-- mission row counts every realised row: the pôles', the overseas engineering of the
-- Cepaje (ref_national_scopes: in no pôle's row nor target) and those booked to no pôle.
-- Params: $year (integer), $today (date: activities after it are not counted yet).
-- Columns: pole_code, pole_label, pole_short_label, pole_sort, indicator_code, indicator_label,
--   short_label, indicator_sort, realised_count, national_scope_count (of realised_count,
--   the rows booked to the Cepaje's national scope: 0 on the pôle rows), target_count,
--   elapsed_share, expected_count, achieved_share, pace_ratio, pace_status, forecast_count.
with

kinds as (
    select activity_kind, indicator_code
    from ref_activity_kinds
    where indicator_code is not null
),

-- The counting window of each indicator's target: a partial year (2024: from 1 July)
-- counts its window only, as the captions, the glossary and the deck say.
windows as (
    select
        k.indicator_code,
        coalesce(t.counted_from, make_date($year, 1, 1)) as counted_from,
        least(coalesce(t.counted_to, make_date($year, 12, 31)), $today) as counted_to
    from (select distinct indicator_code from kinds) as k
    left join ref_targets as t on t.indicator_code = k.indicator_code and t.year = $year
),

done_activities as (
    select a.pole_code, k.indicator_code
    from activities_done as a
    inner join kinds as k on k.activity_kind = a.activity_kind
    inner join windows as w on w.indicator_code = k.indicator_code
    where a.activity_on between w.counted_from and w.counted_to
),

realised as (
    select
        pole_code,
        indicator_code,
        pole_code in (select scope_code from ref_national_scopes) as is_national_scope,
        count(*) as realised_count
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

scoped as (
    select
        g.pole_code,
        g.pole_label,
        g.pole_short_label,
        g.pole_sort,
        g.indicator_code,
        g.indicator_label,
        g.short_label,
        g.indicator_sort,
        coalesce(sum(r.realised_count), 0) as realised_count,
        coalesce(sum(r.realised_count) filter (where r.is_national_scope), 0)
            as national_scope_count,
        any_value(t.target_count * g.target_share) as target_count,
        any_value(t.elapsed_share) as elapsed_share
    from ref_scope_indicators as g
    left join targets as t on t.indicator_code = g.indicator_code
    left join realised as r
        on r.indicator_code = g.indicator_code
        and (g.pole_code = 'all' or r.pole_code = g.pole_code)
    group by all
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
        national_scope_count::bigint as national_scope_count,
        target_count,
        elapsed_share,
        target_count * elapsed_share as expected_count,
        realised_count / nullif(target_count, 0) as achieved_share,
        realised_count / nullif(target_count * elapsed_share, 0) as pace_ratio,
        pace_status(realised_count, target_count * elapsed_share) as pace_status,
        forecast_count(realised_count, elapsed_share) as forecast_count
    from scoped
)

select * from final
order by pole_sort, indicator_sort
