-- Realised activities of the targeted kinds booked to no pôle: pole_code absent, or a
-- code that is neither one of the pôles of the reference nor the Cepaje's national scope
-- (ref_national_scopes: a known scope, counted apart by indicator_progress's
-- national_scope_count; e.g. an overseas Caf's control booked to no pôle). The mission rows of the indicator grid (ref_scope_indicators,
-- pole_code 'all') count every realised row; the pôle rows count only their own: the
-- mission total therefore includes these, and the pages say so next to it.
-- Grain: one row per indicator that has such activities.
-- Params: $date_from, $date_to (inclusive bounds of activity_on), $today (activities
--   after it are not counted, as in the indicator queries).
-- Columns: indicator_code, activity_count.
select
    k.indicator_code,
    count(*) as activity_count
from activities_done as a
inner join ref_activity_kinds as k on k.activity_kind = a.activity_kind
where k.indicator_code is not null
  and a.activity_on between $date_from and least($date_to, $today)
  and (
      a.pole_code is null
      or (
          a.pole_code not in (select pole_code from ref_poles)
          and a.pole_code not in (select scope_code from ref_national_scopes)
      )
  )
group by k.indicator_code
order by k.indicator_code
