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
