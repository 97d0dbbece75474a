-- Grain: one row per place-creation project.
-- Params: $pole_code ('all' or a pôle), $today (a project not opened nor abandoned
--   whose expected opening date is before today is late).
-- Columns: the projects extract's columns, plus dep_name, pole_label, is_late,
--   pole_short_label, places_gap_count (places decided not yet opened; 0 when abandoned).
with

projects_in_scope as (
    select *
    from projects
    where $pole_code = 'all' or pole_code = $pole_code
),

final as (
    select
        pr.*,
        d.dep_name,
        p.pole_label,
        p.pole_short_label,
        pr.stage not in ('ouvert', 'abandonne')
            and pr.expected_opening_on < $today as is_late,
        case
            when pr.stage = 'abandonne' then 0
            else greatest(coalesce(pr.places_decided_count, 0)
                - coalesce(pr.places_opened_count, 0), 0)
        end as places_gap_count
    from projects_in_scope as pr
    left join ref_departements as d on d.dep_code = pr.dep_code
    left join ref_poles as p on p.pole_code = pr.pole_code
    order by pr.project_id
)

select * from final
