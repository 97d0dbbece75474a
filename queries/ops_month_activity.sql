-- The month of one domain for the operational committee: what was done, what is
-- planned next month.
-- Grain: one row per activity kind of the domain x pôle (every pair, zeros included).
-- Params: $month_start (first day of the month), $domain ('maitrise_risques' or
--   'ingenierie'), $pole_code ('all' or a pôle), $today.
-- Columns: activity_kind, activity_label, kind_sort, pole_code, pole_short_label,
--   pole_sort, done_count (done in the month, up to today), days_spent (done in the
--   month), planned_next_count (planned or in progress, dated in the next month).
with

months as (
    select
        $month_start::date as month_from,
        last_day($month_start::date) as month_to,
        (last_day($month_start::date) + interval 1 day)::date as next_from,
        last_day((last_day($month_start::date) + interval 1 day)::date) as next_to
),

kinds as (
    select activity_kind, activity_label, sort_order as kind_sort
    from ref_activity_kinds
    where domain = $domain
),

scoped as (
    select a.*
    from activities as a
    inner join kinds as k on k.activity_kind = a.activity_kind
    where $pole_code = 'all' or a.pole_code = $pole_code
),

counted as (
    select
        s.activity_kind,
        s.pole_code,
        count(*) filter (
            where is_done(s.status) and s.activity_on between m.month_from and least(m.month_to, $today)
        ) as done_count,
        sum(s.days_spent) filter (
            where is_done(s.status) and s.activity_on between m.month_from and least(m.month_to, $today)
        ) as days_spent,
        count(*) filter (
            where s.status in ('planned', 'in_progress') and s.activity_on between m.next_from and m.next_to
        ) as planned_next_count
    from scoped as s
    cross join months as m
    group by all
),

final as (
    select
        k.activity_kind,
        k.activity_label,
        k.kind_sort,
        p.pole_code,
        p.pole_short_label,
        p.sort_order as pole_sort,
        coalesce(c.done_count, 0)::bigint as done_count,
        coalesce(c.days_spent, 0.0) as days_spent,
        coalesce(c.planned_next_count, 0)::bigint as planned_next_count
    from kinds as k
    cross join ref_poles as p
    left join counted as c on c.activity_kind = k.activity_kind and c.pole_code = p.pole_code
    where $pole_code = 'all' or p.pole_code = $pole_code
)

select * from final
order by kind_sort, pole_sort
