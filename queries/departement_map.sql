-- Grain: one row per département (101).
-- Params: $year (activities done that year, up to $today), $pole_code ('all' or a pôle: only the
--   activities of that pôle are counted; 'all': every activity, the Cepaje's engineering
--   for the overseas Cafs included, as in the mission total; an overseas département's
--   pôle is the one supporting its controls), $coverage_year (the coverage year to show,
--   or null).
-- Columns: dep_code, dep_name, region_name, population_count, caf_name, pole_code,
--   pole_label, is_overseas, is_pivot, activity_count (done, in the département),
--   coverage_year ($coverage_year when the coverage layer has it, else its latest year
--   not after $year, else its latest one), coverage_global_pct, coverage_eaje_pct (null
--   when not published).
with

deps as (
    select
        d.dep_code,
        d.dep_name,
        d.region_name,
        d.population_count,
        d.caf_name,
        dp.pole_code,
        p.pole_label,
        dp.is_overseas,
        d.caf_code in (select caf_code from ref_pivot_cafs) as is_pivot
    from ref_departements as d
    inner join ref_departement_poles as dp on dp.dep_code = d.dep_code
    inner join ref_poles as p on p.pole_code = dp.pole_code
),

done_activities as (
    select dep_code, count(*) as activity_count
    from activities_done
    where
        year(activity_on) = $year
        and activity_on <= $today
        and ($pole_code = 'all' or pole_code = $pole_code)
    group by dep_code
),

coverage_year as (
    select
        coalesce(
            max(year) filter (where year = $coverage_year),
            max(year) filter (where year <= $year),
            max(year)
        ) as coverage_year
    from coverage
),

coverage_rates as (
    select c.dep_code, c.year as coverage_year, c.coverage_global_pct, c.coverage_eaje_pct
    from coverage as c
    inner join coverage_year as y on y.coverage_year = c.year
),

final as (
    select
        d.*,
        coalesce(a.activity_count, 0) as activity_count,
        (select coverage_year from coverage_year) as coverage_year,
        r.coverage_global_pct,
        r.coverage_eaje_pct
    from deps as d
    left join done_activities as a on a.dep_code = d.dep_code
    left join coverage_rates as r on r.dep_code = d.dep_code
    order by length(d.dep_code), d.dep_code
)

select * from final
