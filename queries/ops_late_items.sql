-- Late items of one domain at a date: activities still planned or in progress more than
-- $late_after_days days after their date.
-- Grain: one row per late activity, oldest (most late) first; the first $row_limit only
--   (every one when $row_limit is null).
-- Params: $as_of (end of the month or today, whichever is earlier), $domain,
--   $pole_code ('all' or a pôle), $late_after_days, $row_limit (integer or null).
-- Columns: activity_id, activity_on, days_late, activity_label, pole_short_label,
--   caf_name, status, total_count (late activities in all, whatever $row_limit).
with

late as (
    select a.*, date_diff('day', a.activity_on, $as_of::date) as days_late
    from activities as a
    inner join ref_activity_kinds as k on k.activity_kind = a.activity_kind
    where k.domain = $domain
      and a.status in ('planned', 'in_progress')
      and ($pole_code = 'all' or a.pole_code = $pole_code)
      and a.activity_on < $as_of::date - to_days($late_after_days::integer)
),

final as (
    select
        l.activity_id,
        l.activity_on,
        l.days_late,
        k.activity_label,
        p.pole_short_label,
        d.caf_name,
        l.status,
        count(*) over () as total_count
    from late as l
    inner join ref_activity_kinds as k on k.activity_kind = l.activity_kind
    left join ref_poles as p on p.pole_code = l.pole_code
    left join ref_departements as d on d.caf_code = l.caf_code
    order by l.activity_on, l.activity_id
    limit $row_limit
)

select * from final
