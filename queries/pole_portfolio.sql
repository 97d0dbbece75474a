-- Grain: one row per pôle. Columns: pole_code, pole_label, pivot_note, target_share,
--   region_names (comma-separated), departement_count, population_count.
with

deps as (
    select dp.pole_code, d.dep_code, d.region_name, d.population_count, dp.is_overseas
    from ref_departement_poles as dp
    inner join ref_departements as d on d.dep_code = dp.dep_code
),

by_pole as (
    select
        pole_code,
        string_agg(distinct region_name, ', ' order by region_name)
            filter (where not is_overseas) as region_names,
        count(*) filter (where not is_overseas) as departement_count,
        sum(population_count) filter (where not is_overseas) as population_count
    from deps
    group by pole_code
),

final as (
    select
        p.pole_code,
        p.pole_label,
        p.pivot_note,
        p.target_share,
        b.region_names,
        b.departement_count,
        b.population_count
    from ref_poles as p
    left join by_pole as b on b.pole_code = p.pole_code
    order by p.sort_order
)

select * from final
