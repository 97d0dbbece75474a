-- Multi-département partners and their controls up to a date.
-- Grain: one row per partner, watch-list first, then by name; the first $row_limit only
--   (every one when $row_limit is null). The first $row_limit rows hold the first
--   $row_limit partners of the watch-list too (they come first).
-- Params: $today, $pole_code ('all' or a pôle: controls by that pôle only),
--   $watch_risk_levels (list of risk levels that put a partner on the watch-list),
--   $row_limit (integer or null).
-- Columns: partner_id, partner_name, partner_type, head_office_dep_code, caf_count,
--   facilities_count, risk_level, controls_count, findings_count, undue_amount_eur,
--   last_control_on, last_control_has_findings, is_on_watch_list, total_count (partners
--   in all), watch_count (partners on the watch-list in all), whatever $row_limit.
with

partner_controls as (
    select
        a.partner_id,
        a.activity_on,
        a.activity_id,
        a.has_findings,
        coalesce(a.undue_amount_eur, 0) as undue_amount_eur
    from activities_done as a
    where a.partner_id is not null
      and a.activity_on <= $today
      and ($pole_code = 'all' or a.pole_code = $pole_code)
),

by_partner as (
    select
        partner_id,
        count(*) as controls_count,
        count(*) filter (where has_findings) as findings_count,
        sum(undue_amount_eur) as undue_amount_eur,
        max(activity_on) as last_control_on,
        arg_max(coalesce(has_findings, false), (activity_on, activity_id))
            as last_control_has_findings
    from partner_controls
    group by partner_id
),

final as (
    select
        p.partner_id,
        p.partner_name,
        p.partner_type,
        p.head_office_dep_code,
        p.caf_count,
        p.facilities_count,
        p.risk_level,
        coalesce(b.controls_count, 0)::bigint as controls_count,
        coalesce(b.findings_count, 0)::bigint as findings_count,
        coalesce(b.undue_amount_eur, 0.0) as undue_amount_eur,
        b.last_control_on,
        coalesce(b.last_control_has_findings, false) as last_control_has_findings,
        list_contains($watch_risk_levels, p.risk_level)
            or coalesce(b.last_control_has_findings, false) as is_on_watch_list
    from partners as p
    left join by_partner as b on b.partner_id = p.partner_id
)

select
    *,
    count(*) over () as total_count,
    count(*) filter (where is_on_watch_list) over () as watch_count
from final
order by is_on_watch_list desc, partner_name
limit $row_limit
