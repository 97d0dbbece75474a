-- The history of one saisine: its reception, the take-up and end dates the national
-- extract (or the Saisie form) gave it, then each step recorded in the app.
-- Grain: one row per step of the saisine, in order (none when the id is unknown).
-- Params: $request_id.
-- Columns: step_order, step_kind ('received', 'taken_up', 'closed', 'refused',
--   'cancelled', 'redirected'), step_on, taken_up_by, outcome_code, redirected_to,
--   comment, recorded_by (null for the extract's dates), recorded_at.
with

received as (
    select r.*
    from requests_received as r
    where r.request_id = $request_id
),

given_steps as (
    select 0 as step_order, 'received' as step_kind, r.received_on as step_on
    from received as r
    union all
    select 1, 'taken_up', r.taken_up_on
    from received as r
    where r.taken_up_on is not null
    union all
    select 2,
        case when r.status in ('refused', 'cancelled', 'redirected') then r.status
            else 'closed' end,
        r.closed_on
    from received as r
    where r.closed_on is not null
),

recorded_steps as (
    select
        10 + e.step_no as step_order,
        e.event_kind as step_kind,
        e.event_on as step_on,
        e.taken_up_by,
        e.outcome_code,
        e.redirected_to,
        e.comment,
        e.created_by as recorded_by,
        e.created_at as recorded_at
    from journal_request_events as e
    where e.request_id = $request_id
),

final as (
    select
        g.step_order,
        g.step_kind,
        g.step_on,
        null::varchar as taken_up_by,
        null::varchar as outcome_code,
        null::varchar as redirected_to,
        null::varchar as comment,
        null::varchar as recorded_by,
        null::timestamp as recorded_at
    from given_steps as g
    union all
    select * from recorded_steps
)

select * from final
order by step_order
