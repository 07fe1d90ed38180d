-- History: the worst polluted cache rows of each cache date (a DNP player's averages still cached),
-- at most @per_day a day: enough to rebuild any window's top examples without reading them all.
WITH dnp AS (
  SELECT DISTINCT game_date, player_lookup
  FROM nba_analytics.player_game_summary
  WHERE game_date BETWEEN @start_date AND @end_date AND is_dnp AND processed_at <= @as_of
)
SELECT c.cache_date, c.player_lookup, c.player_name, c.points_avg_last_10, c.games_in_window
FROM nba_precompute.player_daily_cache AS c
JOIN dnp AS d ON d.game_date = c.cache_date AND d.player_lookup = c.player_lookup
WHERE c.cache_date BETWEEN @start_date AND @end_date AND c.created_at <= @as_of
QUALIFY ROW_NUMBER() OVER (PARTITION BY c.cache_date ORDER BY c.points_avg_last_10 DESC, c.player_lookup) <= @per_day
ORDER BY c.cache_date, c.points_avg_last_10 DESC, c.player_lookup
