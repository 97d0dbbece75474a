-- Shared indicator conventions (loaded once into every catalog).
-- Pace status: on track from pace_on_track_from() of the expected-to-date, watch from
-- pace_watch_from(), behind below (the thresholds of rules.toml [pace], defined by the
-- catalog before this file).
create or replace macro pace_status(realised, expected) as
    case
        when expected is null or expected <= 0 then 'not_started'
        when realised / expected >= pace_on_track_from() then 'on_track'
        when realised / expected >= pace_watch_from() then 'watch'
        else 'behind'
    end;

-- A realised activity: the one definition (the view activities_done applies it).
create or replace macro is_done(status) as status = 'done';

-- Run-rate to the end of the operating window: what the pace so far would give (null
-- before the window opens).
create or replace macro forecast_count(realised, elapsed) as
    case when elapsed > 0 then realised / elapsed end;

-- Share of an operating window [counted_from, counted_to] elapsed at the end of as_of.
create or replace macro elapsed_share(counted_from, counted_to, as_of) as
    case
        when as_of < counted_from then 0.0
        when as_of >= counted_to then 1.0
        else (date_diff('day', counted_from, as_of) + 1)::double
            / (date_diff('day', counted_from, counted_to) + 1)
    end;

-- The scopes activities may be booked to that are not pôles: the national Cepaje team,
-- which takes on the engineering of the overseas Cafs (poles.toml, section overseas;
-- ref_departement_poles.engineering_scope_code). No target share, no row of the indicator
-- tables: a pôle row never counts them, the mission row does (every realised row), and
-- the captions next to the mission total say so (reference.engineering_scope_note).
-- Grain: one row per such scope. Columns: scope_code, scope_label.
create or replace view ref_national_scopes as
select distinct
    engineering_scope_code as scope_code,
    engineering_scope_label as scope_label
from ref_departement_poles
where engineering_scope_code not in (select pole_code from ref_poles);

-- The scopes of every indicator table: the five pôles and the whole mission
-- (pole_code 'all', target share 1: the pôles' shares add up to 1), crossed with the
-- six targeted indicators. Queries join realised figures with
-- `r.indicator_code = g.indicator_code and (g.pole_code = 'all' or r.pole_code = g.pole_code)`
-- so that the mission row counts every realised row: its pôles', the Cepaje's
-- (ref_national_scopes, in no pôle's target) and those booked to no pôle.
create or replace view ref_scope_indicators as
with scopes as (
    select pole_code, pole_label, pole_short_label, sort_order as pole_sort, target_share
    from ref_poles
    union all
    select 'all', 'Mission (5 pôles et Cepaje outre-mer)', 'Mission', 0, 1.0
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
