-- The letter's staffing plan against the positions held, by pôle and job.
-- Grain: one row per (pôle, job) of the plan or of the staff (a job held outside the
--   plan has a planned FTE of 0 and no funding line).
-- Params: $held_on (the date the positions are held at); the plan as parallel lists
--   $plan_pole_codes, $plan_jobs, $plan_funding_lines, $plan_people_counts, $plan_ftes
--   (reference/staffing_plan.csv); $job_codes (the jobs in display order).
-- Held: a position not vacant whose start date is on or before $held_on.
-- Columns: pole_code, pole_short_label, pole_sort, job, job_sort, funding_line (the
--   plan's), planned_people_count, planned_fte, positions_fte (every position, filled
--   or not, whatever its start date), held_people_count, held_fte, gap_fte
--   (held_fte - planned_fte: negative when FTE are missing).
with

plan as (
    select
        unnest($plan_pole_codes::varchar[]) as pole_code,
        unnest($plan_jobs::varchar[]) as job,
        unnest($plan_funding_lines::varchar[]) as funding_line,
        unnest($plan_people_counts::bigint[]) as planned_people_count,
        unnest($plan_ftes::double[]) as planned_fte
),

staff_state as (
    select
        s.pole_code,
        s.job,
        s.fte,
        not coalesce(s.is_vacant, false) and s.start_on <= $held_on::date as is_held
    from staff as s
),

held as (
    select
        pole_code,
        job,
        sum(fte) as positions_fte,
        count(*) filter (where is_held) as held_people_count,
        coalesce(sum(fte) filter (where is_held), 0) as held_fte
    from staff_state
    group by pole_code, job
),

final as (
    select
        coalesce(p.pole_code, h.pole_code) as pole_code,
        coalesce(r.pole_short_label, p.pole_code, h.pole_code) as pole_short_label,
        r.sort_order as pole_sort,
        coalesce(p.job, h.job) as job,
        list_position($job_codes::varchar[], coalesce(p.job, h.job)) as job_sort,
        p.funding_line,
        coalesce(p.planned_people_count, 0)::bigint as planned_people_count,
        coalesce(p.planned_fte, 0.0) as planned_fte,
        coalesce(h.positions_fte, 0.0) as positions_fte,
        coalesce(h.held_people_count, 0)::bigint as held_people_count,
        coalesce(h.held_fte, 0.0) as held_fte,
        coalesce(h.held_fte, 0.0) - coalesce(p.planned_fte, 0.0) as gap_fte
    from plan as p
    full join held as h
        on h.pole_code is not distinct from p.pole_code and h.job is not distinct from p.job
    left join ref_poles as r on r.pole_code = coalesce(p.pole_code, h.pole_code)
)

select * from final
order by pole_sort nulls last, pole_code nulls last, job_sort nulls last, job
