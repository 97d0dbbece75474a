-- Every position of the pôles, with its job, funding line, FTE and start date.
-- Grain: one row per position (staff row).
-- Params: $today, $pole_code ('all' or a pôle).
-- Columns: staff_id, pole_code, pole_short_label, pole_sort, job, funding_line, fte,
--   start_on, state ('in_post', 'to_come' or 'vacant').
select
    s.staff_id,
    s.pole_code,
    p.pole_short_label,
    p.sort_order as pole_sort,
    s.job,
    s.funding_line,
    s.fte,
    s.start_on,
    case
        when coalesce(s.is_vacant, false) or s.start_on is null then 'vacant'
        when s.start_on > $today then 'to_come'
        else 'in_post'
    end as state
from staff as s
left join ref_poles as p on p.pole_code = s.pole_code
where $pole_code = 'all' or s.pole_code = $pole_code
order by p.sort_order, s.job, s.staff_id
