-- Progress of the six targeted indicators over one committee period (month, semester or
-- year, inside one calendar year), as of one day, with the previous period's realised.
-- Grain: one row per (pôle or the whole mission) x indicator; pole_code = 'all' is the
-- mission total: every realised row, the Cepaje's overseas engineering included (in no
-- pôle's row nor target, see ref_national_scopes).
-- Params: $period_start, $period_end (dates, same year), $previous_start, $previous_end
--   (the previous period of the same kind), $today (activities after it are not counted).
-- Columns: pole_code, pole_label, pole_short_label, pole_sort, indicator_code,
--   indicator_label, short_label, indicator_sort, realised_count, previous_realised_count,
--   target_count (annual target x the period's share of the operating window),
--   expected_count (annual target x share of the window elapsed in the period by $today),
--   achieved_share, pace_ratio, pace_status.
with

kinds as (
    select activity_kind, indicator_code
    from ref_activity_kinds
    where indicator_code is not null
),

done_activities as (
    select a.pole_code, k.indicator_code, a.activity_on
    from activities_done as a
    inner join kinds as k on k.activity_kind = a.activity_kind
    where a.activity_on >= $previous_start
      and a.activity_on <= least($period_end, $today)
),

realised as (
    select
        pole_code,
        indicator_code,
        count(*) filter (where activity_on >= $period_start) as realised_count,
        count(*) filter (
            where activity_on between $previous_start and $previous_end
        ) as previous_realised_count
    from done_activities
    group by all
),

targets as (
    select
        indicator_code,
        target_count,
        greatest(
            elapsed_share(counted_from, counted_to, $period_end)
            - elapsed_share(counted_from, counted_to, $period_start - interval 1 day),
            0
        ) as period_share,
        greatest(
            elapsed_share(counted_from, counted_to, least($period_end, $today))
            - elapsed_share(counted_from, counted_to, $period_start - interval 1 day),
            0
        ) as elapsed_period_share
    from ref_targets
    where year = year($period_start)
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
        coalesce(sum(r.previous_realised_count), 0) as previous_realised_count,
        any_value(t.target_count * g.target_share * t.period_share) as target_count,
        any_value(t.target_count * g.target_share * t.elapsed_period_share) as expected_count
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
        previous_realised_count::bigint as previous_realised_count,
        target_count,
        expected_count,
        realised_count / nullif(target_count, 0) as achieved_share,
        realised_count / nullif(expected_count, 0) as pace_ratio,
        pace_status(realised_count, expected_count) as pace_status
    from scoped
)

select * from final
order by pole_sort, indicator_sort
