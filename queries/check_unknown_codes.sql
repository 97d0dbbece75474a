-- Rows of the national extracts whose codes are unknown to the reference: pôle (not in
-- ref_poles; an activity may also be booked to the Cepaje's national scope,
-- ref_national_scopes), département (not in ref_departements), Caf (not a Caf of
-- ref_departements), activity kind (not in ref_activity_kinds), status, project stage,
-- equipment or project kind (not in the lists passed). A required code that is absent
-- counts as unknown; the equipment kind of an activity is optional.
-- The extract views only (activities_national, requests_national): the journal's rows
-- were validated against the same reference when they were entered.
-- Grain: one row per (extract, column) with at least one such row.
-- Params: $activity_statuses, $request_statuses, $project_stages, $equipment_kinds,
--   $project_kinds (lists of the known codes).
-- Columns: extract_name, column_name, column_label (French), column_sort, row_count,
--   examples (list of {row_id, value}: the first 5 rows by id).
with

poles as (select pole_code as code from ref_poles),
scopes as (select scope_code as code from ref_national_scopes),
deps as (select dep_code as code from ref_departements),
cafs as (select distinct caf_code as code from ref_departements),
kinds as (select activity_kind as code from ref_activity_kinds),

findings as (
    select 'activities' as extract_name, 1 as column_sort, 'pole_code' as column_name,
        'pôle' as column_label, activity_id as row_id, pole_code as value
    from activities_national
    where pole_code is null
        or pole_code not in (select code from poles union all select code from scopes)
    union all
    select 'activities', 2, 'dep_code', 'département', activity_id, dep_code
    from activities_national
    where dep_code is null or dep_code not in (select code from deps)
    union all
    select 'activities', 3, 'caf_code', 'Caf', activity_id, caf_code
    from activities_national
    where caf_code is null or caf_code not in (select code from cafs)
    union all
    select 'activities', 4, 'activity_kind', 'type d''activité', activity_id, activity_kind
    from activities_national
    where activity_kind is null or activity_kind not in (select code from kinds)
    union all
    select 'activities', 5, 'status', 'statut', activity_id, status
    from activities_national
    where status is null or not list_contains($activity_statuses, status)
    union all
    select 'activities', 6, 'equipment_kind', 'type d''équipement', activity_id, equipment_kind
    from activities_national
    where equipment_kind is not null and not list_contains($equipment_kinds, equipment_kind)

    union all
    select 'requests', 1, 'pole_code', 'pôle', request_id, pole_code
    from requests_national
    where pole_code is null or pole_code not in (select code from poles)
    union all
    select 'requests', 3, 'caf_code', 'Caf', request_id, caf_code
    from requests_national
    where caf_code is null or caf_code not in (select code from cafs)
    union all
    select 'requests', 4, 'request_nature', 'type d''activité', request_id, request_nature
    from requests_national
    where request_nature is null or request_nature not in (select code from kinds)
    union all
    select 'requests', 5, 'status', 'statut', request_id, status
    from requests_national
    where status is null or not list_contains($request_statuses, status)

    union all
    select 'projects', 1, 'pole_code', 'pôle', project_id, pole_code
    from projects
    where pole_code is null or pole_code not in (select code from poles)
    union all
    select 'projects', 2, 'dep_code', 'département', project_id, dep_code
    from projects
    where dep_code is null or dep_code not in (select code from deps)
    union all
    select 'projects', 3, 'caf_code', 'Caf', project_id, caf_code
    from projects
    where caf_code is null or caf_code not in (select code from cafs)
    union all
    select 'projects', 5, 'stage', 'étape', project_id, stage
    from projects
    where stage is null or not list_contains($project_stages, stage)
    union all
    select 'projects', 6, 'project_kind', 'type de projet', project_id, project_kind
    from projects
    where project_kind is null or not list_contains($project_kinds, project_kind)

    union all
    select 'partners', 2, 'head_office_dep_code', 'département du siège', partner_id,
        head_office_dep_code
    from partners
    where head_office_dep_code is not null
      and head_office_dep_code not in (select code from deps)

    union all
    select 'staff', 1, 'pole_code', 'pôle', staff_id, pole_code
    from staff
    where pole_code is null or pole_code not in (select code from poles)

    union all
    select 'coverage', 2, 'dep_code', 'département', cast(year as varchar) || '/' || dep_code,
        dep_code
    from coverage
    where dep_code is null or dep_code not in (select code from deps)
),

final as (
    select
        extract_name,
        column_name,
        any_value(column_label) as column_label,
        any_value(column_sort) as column_sort,
        count(*) as row_count,
        min_by(
            {'row_id': row_id, 'value': value}, coalesce(row_id, ''), 5
        ) as examples
    from findings
    group by extract_name, column_name
)

select * from final
order by
    list_position(
        ['activities', 'requests', 'projects', 'partners', 'staff', 'coverage'], extract_name
    ),
    column_sort
