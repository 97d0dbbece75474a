-- One saisine as received (national extract or journal), before its recorded steps:
-- what a new step is checked against (sppe_data.journal.record_request_step).
-- Grain: one row per saisine (none when the id is unknown).
-- Params: $request_id.
-- Columns: request_id, pole_code, status, received_on, taken_up_on, closed_on.
with

received as (
    select r.request_id, r.pole_code, r.status, r.received_on, r.taken_up_on, r.closed_on
    from requests_received as r
    where r.request_id = $request_id
),

final as (
    select * from received
    limit 1
)

select * from final
