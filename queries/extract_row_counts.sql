-- Grain: one row per extract. Columns: extract_name, row_count.
select 'activities' as extract_name, count(*) as row_count from activities
union all select 'requests', count(*) from requests
union all select 'projects', count(*) from projects
union all select 'partners', count(*) from partners
union all select 'staff', count(*) from staff
