-- The six targeted indicators for the strategic committee of one semester.
-- Grain: one row per (pôle or 'all' for the mission) x indicator. The mission counts every
-- realised row, the Cepaje's overseas engineering included (ref_national_scopes: in no
-- pôle's row nor target).
-- Params: $year (of the targets), $semester_from, $semester_to, $previous_from,
--   $previous_to (the semester's bounds and the previous one's: S2 of the year before
--   for an S1, from sppe_data.period), $today (activities after it are not counted).
-- Columns: pole_code, pole_label, pole_short_label, pole_sort, indicator_code,
--   indicator_label, short_label, indicator_sort, semester_from, semester_to, as_of,
--   semester_realised_count, previous_realised_count, change_count,
--   year_realised_count (from the start of the target's counting window, 1 January or
--   1 July 2024, to the end of the semester), target_count (annual),
--   expected_count (annual target x elapsed share at as_of), gap_count (expected minus
--   realised, positive when behind), achieved_share (year to date ÷ annual target),
--   pace_ratio, pace_status, forecast_count (year to
--   date at the pace so far, to the end of the target's window).
with

bounds as (
    select
        $semester_from::date as semester_from,
        $semester_to::date as semester_to,
        $previous_from::date as previous_from,
        $previous_to::date as previous_to
),

as_of as (
    select *, least(semester_to, $today) as as_of from bounds
),

done_activities as (
    select a.pole_code, k.indicator_code, a.activity_on
    from activities_done as a
    inner join ref_activity_kinds as k on k.activity_kind = a.activity_kind
    where k.indicator_code is not null and a.activity_on <= $today
),

realised as (
    select
        d.pole_code,
        d.indicator_code,
        count(*) filter (where d.activity_on between b.semester_from and b.as_of)
            as semester_realised_count,
        count(*) filter (where d.activity_on between b.previous_from and b.previous_to)
            as previous_realised_count,
        count(*) filter (
            where d.activity_on
                between coalesce(t.counted_from, make_date($year, 1, 1)) and b.as_of
        ) as year_realised_count
    from done_activities as d
    cross join as_of as b
    left join ref_targets as t on t.indicator_code = d.indicator_code and t.year = $year
    group by d.pole_code, d.indicator_code
),

targets as (
    select t.indicator_code, t.target_count,
        elapsed_share(t.counted_from, t.counted_to, b.as_of) as elapsed_share
    from ref_targets as t
    cross join as_of as b
    where t.year = $year
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
        coalesce(sum(r.semester_realised_count), 0) as semester_realised_count,
        coalesce(sum(r.previous_realised_count), 0) as previous_realised_count,
        coalesce(sum(r.year_realised_count), 0) as year_realised_count,
        any_value(t.target_count * g.target_share) as target_count,
        any_value(t.target_count * g.target_share * t.elapsed_share) as expected_count,
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
        u.pole_code,
        u.pole_label,
        u.pole_short_label,
        u.pole_sort,
        u.indicator_code,
        u.indicator_label,
        u.short_label,
        u.indicator_sort,
        b.semester_from,
        b.semester_to,
        b.as_of,
        u.semester_realised_count::bigint as semester_realised_count,
        u.previous_realised_count::bigint as previous_realised_count,
        (u.semester_realised_count - u.previous_realised_count)::bigint as change_count,
        u.year_realised_count::bigint as year_realised_count,
        u.target_count,
        u.expected_count,
        u.expected_count - u.year_realised_count as gap_count,
        u.year_realised_count / nullif(u.target_count, 0) as achieved_share,
        u.year_realised_count / nullif(u.expected_count, 0) as pace_ratio,
        pace_status(u.year_realised_count, u.expected_count) as pace_status,
        forecast_count(u.year_realised_count, u.elapsed_share) as forecast_count
    from scoped as u
    cross join as_of as b
)

select * from final
order by pole_sort, indicator_sort
