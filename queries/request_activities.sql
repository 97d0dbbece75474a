-- The activities a saisine produced: the activities (extract or journal) whose
-- request_id is the saisine's.
-- Grain: one row per activity, oldest first.
-- Params: $request_id.
-- Columns: activity_id, activity_on, activity_label, status, pole_short_label,
--   days_spent.
with

linked as (
    select a.*
    from activities as a
    where a.request_id = $request_id
),

final as (
    select
        a.activity_id,
        a.activity_on,
        coalesce(k.activity_label, a.activity_kind) as activity_label,
        a.status,
        p.pole_short_label,
        a.days_spent
    from linked as a
    left join ref_activity_kinds as k on k.activity_kind = a.activity_kind
    left join ref_poles as p on p.pole_code = a.pole_code
)

select * from final
order by activity_on, activity_id
