-- Grain: one row per year x targeted indicator. Columns: year, indicator_label,
--   target_count, counted_from, counted_to.
select
    t.year,
    i.indicator_label,
    t.target_count,
    t.counted_from,
    t.counted_to
from ref_targets as t
inner join ref_indicators as i on i.indicator_code = t.indicator_code
order by t.year, i.sort_order
