-- Travel-cost contributions to bill: departmental interventions with a fee, done in a
-- period, per Caf and month.
-- Grain: one row per Caf x month with at least one charged intervention.
-- Params: $date_from, $date_to, $today, $pole_code ('all' or a pôle).
-- Columns: caf_code, caf_name, pole_short_label, month_start, interventions_count,
--   travel_fee_eur.
with

charged as (
    select a.caf_code, a.pole_code, date_trunc('month', a.activity_on)::date as month_start,
        a.travel_fee_eur
    from activities_done as a
    where a.travel_fee_eur > 0
      and a.activity_on between $date_from and least($date_to, $today)
      and ($pole_code = 'all' or a.pole_code = $pole_code)
),

final as (
    select
        c.caf_code,
        any_value(d.caf_name) as caf_name,
        any_value(p.pole_short_label) as pole_short_label,
        c.month_start,
        count(*) as interventions_count,
        sum(c.travel_fee_eur) as travel_fee_eur
    from charged as c
    left join ref_departements as d on d.caf_code = c.caf_code
    left join ref_poles as p on p.pole_code = c.pole_code
    group by c.caf_code, c.month_start
)

select * from final
order by caf_code, month_start
