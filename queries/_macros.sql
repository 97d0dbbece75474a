-- Shared indicator conventions (loaded once into every catalog).
-- Pace status: on track >= 95 % of the expected-to-date, watch 80-95 %, behind < 80 %.
create or replace macro pace_status(realised, expected) as
    case
        when expected is null or expected <= 0 then 'not_started'
        when realised / expected >= 0.95 then 'on_track'
        when realised / expected >= 0.80 then 'watch'
        else 'behind'
    end;

-- Share of an operating window [counted_from, counted_to] elapsed at the end of as_of.
create or replace macro elapsed_share(counted_from, counted_to, as_of) as
    case
        when as_of < counted_from then 0.0
        when as_of >= counted_to then 1.0
        else (date_diff('day', counted_from, as_of) + 1)::double
            / (date_diff('day', counted_from, counted_to) + 1)
    end;

-- The scopes of every indicator table: the five pôles and the whole mission
-- (pole_code 'all', target share 1: the pôles' shares add up to 1), crossed with the
-- six targeted indicators. Queries join realised figures with
-- `r.indicator_code = g.indicator_code and (g.pole_code = 'all' or r.pole_code = g.pole_code)`
-- so that the mission row sums its pôles without a second aggregation.
create or replace view ref_scope_indicators as
with scopes as (
    select pole_code, pole_label, pole_short_label, sort_order as pole_sort, target_share
    from ref_poles
    union all
    select 'all', 'Mission (5 pôles)', 'Mission', 0, 1.0
)
select
    s.pole_code,
    s.pole_label,
    s.pole_short_label,
    s.pole_sort,
    s.target_share,
    i.indicator_code,
    i.indicator_label,
    i.short_label,
    i.sort_order as indicator_sort
from scopes as s
cross join ref_indicators as i;
