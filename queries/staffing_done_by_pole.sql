-- The activities each pôle has done in a period, the numerator of the activity per FTE
-- of the page Ressources.
-- Grain: one row per pôle (every pôle, zeros included).
-- Params: $date_from, $held_on (the period's end, or today when the period is not over).
-- Counted: activities of every kind with status done, dated from $date_from to $held_on.
-- Columns: pole_code, pole_short_label, pole_sort, done_count.
with

done as (
    select pole_code, count(*) as done_count
    from activities_done
    where activity_on between $date_from and $held_on
    group by pole_code
),

final as (
    select
        p.pole_code,
        p.pole_short_label,
        p.sort_order as pole_sort,
        coalesce(d.done_count, 0)::bigint as done_count
    from ref_poles as p
    left join done as d on d.pole_code = p.pole_code
)

select * from final
order by pole_sort
