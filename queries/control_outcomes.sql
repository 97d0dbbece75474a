-- Outcomes of the controls done in a period: findings, undue amounts detected and
-- recovered, by equipment kind, by pôle and for the whole scope.
-- Grain: one row per (breakdown, key): breakdown 'all' (one row), 'equipment' (one row
--   per equipment kind met, 'non_renseigne' when missing) and 'pole' (every pôle of
--   the scope, zeros included).
-- Params: $date_from, $date_to, $today, $pole_code ('all' or a pôle), $control_kinds
--   (list of activity kinds that are controls).
-- Columns: breakdown, key, label, sort_key, controls_count, with_outcome_count
--   (has_findings recorded), findings_count, findings_share (findings / with outcome),
--   undue_amount_eur, recovered_amount_eur, recovery_share (recovered / undue).
with

controls as (
    select
        a.pole_code,
        coalesce(a.equipment_kind, 'non_renseigne') as equipment_kind,
        a.has_findings,
        coalesce(a.undue_amount_eur, 0) as undue_amount_eur,
        coalesce(a.recovered_amount_eur, 0) as recovered_amount_eur
    from activities_done as a
    where list_contains($control_kinds, a.activity_kind)
      and a.activity_on between $date_from and least($date_to, $today)
      and ($pole_code = 'all' or a.pole_code = $pole_code)
),

scope_poles as (
    select pole_code, pole_short_label, sort_order
    from ref_poles
    where $pole_code = 'all' or pole_code = $pole_code
),

grouped as (
    select
        case when grouping(pole_code) = 0 then 'pole'
            when grouping(equipment_kind) = 0 then 'equipment' else 'all' end as breakdown,
        coalesce(pole_code, equipment_kind, 'all') as key,
        count(*) as controls_count,
        count(has_findings) as with_outcome_count,
        count(*) filter (where has_findings) as findings_count,
        sum(undue_amount_eur) as undue_amount_eur,
        sum(recovered_amount_eur) as recovered_amount_eur
    from controls
    group by grouping sets ((), (equipment_kind), (pole_code))
),

all_rows as (
    select 'all' as breakdown, 'all' as key, 'Ensemble' as label, 0 as sort_key
    union all
    select 'pole', pole_code, pole_short_label, sort_order from scope_poles
    union all
    select 'equipment', key, key, 0 from grouped where breakdown = 'equipment'
),

final as (
    select
        r.breakdown,
        r.key,
        r.label,
        r.sort_key,
        coalesce(g.controls_count, 0)::bigint as controls_count,
        coalesce(g.with_outcome_count, 0)::bigint as with_outcome_count,
        coalesce(g.findings_count, 0)::bigint as findings_count,
        g.findings_count / nullif(g.with_outcome_count, 0) as findings_share,
        coalesce(g.undue_amount_eur, 0.0) as undue_amount_eur,
        coalesce(g.recovered_amount_eur, 0.0) as recovered_amount_eur,
        g.recovered_amount_eur / nullif(g.undue_amount_eur, 0) as recovery_share
    from all_rows as r
    left join grouped as g on g.breakdown = r.breakdown and g.key = r.key
)

select * from final
order by breakdown, sort_key, key
