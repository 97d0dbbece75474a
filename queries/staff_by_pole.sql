-- Staffing of each pôle at a date, with its activity over a period.
-- Grain: one row per pôle (every pôle, zeros included).
-- Params: $today (who is in post), $date_from, $date_to (activity period, counted up
--   to $today).
-- Columns: pole_code, pole_short_label, pole_sort, positions_count, people_in_post_count,
--   fte_positions (all positions), fte_in_post (started on or before $today),
--   fte_vacant, fte_to_come (start date after $today), done_count (activities done in
--   the period), done_per_fte (done_count / fte_in_post).
with

staff_state as (
    select
        s.pole_code,
        s.fte,
        not coalesce(s.is_vacant, false) and s.start_on is not null and s.start_on <= $today
            as is_in_post,
        coalesce(s.is_vacant, false) or s.start_on is null as is_vacant,
        not coalesce(s.is_vacant, false) and s.start_on > $today as is_to_come
    from staff as s
),

by_pole as (
    select
        pole_code,
        count(*) as positions_count,
        count(*) filter (where is_in_post) as people_in_post_count,
        sum(fte) as fte_positions,
        coalesce(sum(fte) filter (where is_in_post), 0) as fte_in_post,
        coalesce(sum(fte) filter (where is_vacant), 0) as fte_vacant,
        coalesce(sum(fte) filter (where is_to_come), 0) as fte_to_come
    from staff_state
    group by pole_code
),

done as (
    select pole_code, count(*) as done_count
    from activities_done
    where activity_on between $date_from and least($date_to, $today)
    group by pole_code
),

final as (
    select
        p.pole_code,
        p.pole_short_label,
        p.sort_order as pole_sort,
        coalesce(b.positions_count, 0)::bigint as positions_count,
        coalesce(b.people_in_post_count, 0)::bigint as people_in_post_count,
        coalesce(b.fte_positions, 0.0) as fte_positions,
        coalesce(b.fte_in_post, 0.0) as fte_in_post,
        coalesce(b.fte_vacant, 0.0) as fte_vacant,
        coalesce(b.fte_to_come, 0.0) as fte_to_come,
        coalesce(d.done_count, 0)::bigint as done_count,
        d.done_count / nullif(b.fte_in_post, 0) as done_per_fte
    from ref_poles as p
    left join by_pole as b on b.pole_code = p.pole_code
    left join done as d on d.pole_code = p.pole_code
)

select * from final
order by pole_sort
