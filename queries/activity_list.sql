-- The activities behind a figure of the explorer (drill-down).
-- Grain: one row per activity, most recent first, at most $row_limit rows.
-- Params: $date_from, $date_to, $today, $pole_code ('all' or a pôle), $activity_kind
--   ('all' or a kind), $dimension (see activity_breakdown.sql), $dim_key ('all' or a
--   value of the dimension), $row_limit.
-- Columns: activity_id, activity_on, domain, activity_label, pole_short_label, caf_name,
--   dep_code, equipment_kind, status, days_spent, has_findings, undue_amount_eur,
--   recovered_amount_eur, travel_fee_eur, comment.
with

done_activities as (
    select
        a.*,
        case $dimension
            -- One key for the rows booked to no pôle (absent or unknown code).
            when 'pole' then case
                when a.pole_code in (select pole_code from ref_poles) then a.pole_code
                else 'hors_pole'
            end
            when 'caf' then a.caf_code
            when 'departement' then a.dep_code
            when 'month' then strftime(a.activity_on, '%Y-%m')
            when 'semester' then year(a.activity_on)::varchar || '-S'
                || (case when month(a.activity_on) <= 6 then '1' else '2' end)
            when 'equipment' then coalesce(a.equipment_kind, 'non_renseigne')
        end as dim_key
    from activities_done as a
    where a.activity_on between $date_from and least($date_to, $today)
      and ($pole_code = 'all' or a.pole_code = $pole_code)
      and ($activity_kind = 'all' or a.activity_kind = $activity_kind)
),

final as (
    select
        a.activity_id,
        a.activity_on,
        k.domain,
        k.activity_label,
        p.pole_short_label,
        d.caf_name,
        a.dep_code,
        a.equipment_kind,
        a.status,
        a.days_spent,
        a.has_findings,
        a.undue_amount_eur,
        a.recovered_amount_eur,
        a.travel_fee_eur,
        a.comment
    from done_activities as a
    inner join ref_activity_kinds as k on k.activity_kind = a.activity_kind
    left join ref_poles as p on p.pole_code = a.pole_code
    left join ref_departements as d on d.caf_code = a.caf_code
    where $dim_key = 'all' or a.dim_key = $dim_key
    order by a.activity_on desc, a.activity_id
    limit $row_limit
)

select * from final
