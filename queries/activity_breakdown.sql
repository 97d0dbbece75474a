-- Done activities of every kind broken down by one dimension, over a period.
-- Grain: one row per activity kind x dimension value (only pairs with activities).
-- Params: $date_from, $date_to (inclusive), $today (later activities are not counted),
--   $pole_code ('all' or a pôle), $dimension ('pole', 'caf', 'departement', 'month',
--   'semester', 'equipment').
-- Columns: domain, activity_kind, activity_label, kind_sort, dim_key ('hors_pole' for the
--   rows booked to no pôle; the scope code for the Cepaje's overseas engineering,
--   ref_national_scopes: part of the mission, not a pôle), dim_label (never null),
--   done_count.
with

done_activities as (
    select a.*
    from activities_done as a
    where a.activity_on between $date_from and least($date_to, $today)
      and ($pole_code = 'all' or a.pole_code = $pole_code)
),

keyed as (
    select
        a.activity_kind,
        case $dimension
            -- One key for the rows booked to no pôle (absent or unknown code).
            when 'pole' then case
                when a.pole_code in (select pole_code from ref_poles) then a.pole_code
                when a.pole_code in (select scope_code from ref_national_scopes)
                    then a.pole_code
                else 'hors_pole'
            end
            when 'caf' then a.caf_code
            when 'departement' then a.dep_code
            when 'month' then strftime(a.activity_on, '%Y-%m')
            when 'semester' then year(a.activity_on)::varchar || '-S'
                || (case when month(a.activity_on) <= 6 then '1' else '2' end)
            when 'equipment' then coalesce(a.equipment_kind, 'non_renseigne')
        end as dim_key
    from done_activities as a
),

counted as (
    select activity_kind, dim_key, count(*) as done_count
    from keyed
    group by all
),

final as (
    select
        k.domain,
        c.activity_kind,
        k.activity_label,
        k.sort_order as kind_sort,
        c.dim_key,
        coalesce(
            case $dimension
                when 'pole' then coalesce(
                    p.pole_short_label, n.scope_label, 'Hors des cinq pôles'
                )
                when 'caf' then d.caf_name
                when 'departement' then d.dep_code || ' ' || d.dep_name
                else c.dim_key
            end,
            c.dim_key,  -- a code unknown to the reference: shown as it is
            'Non renseigné'
        ) as dim_label,
        c.done_count
    from counted as c
    inner join ref_activity_kinds as k on k.activity_kind = c.activity_kind
    left join ref_poles as p on $dimension = 'pole' and p.pole_code = c.dim_key
    left join ref_national_scopes as n on $dimension = 'pole' and n.scope_code = c.dim_key
    left join ref_departements as d
        on ($dimension = 'caf' and d.caf_code = c.dim_key)
        or ($dimension = 'departement' and d.dep_code = c.dim_key)
)

select * from final
order by kind_sort, dim_key
