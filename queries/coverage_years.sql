-- Grain: one row per year of the coverage layer (data.caf.fr), most recent first.
-- Params: none.
-- Columns: year, dep_count (départements with a rate that year).
select year, count(*) as dep_count
from coverage
group by year
order by year desc
