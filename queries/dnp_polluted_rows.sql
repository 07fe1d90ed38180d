-- The polluted cache rows themselves: a DNP player's averages still in player_daily_cache.
WITH dnp AS (
  SELECT DISTINCT game_date, player_lookup
  FROM nba_analytics.player_game_summary
  WHERE game_date BETWEEN @start_date AND @end_date AND is_dnp AND processed_at <= @as_of
)
SELECT c.cache_date, c.player_lookup, c.player_name, c.points_avg_last_10, c.games_in_window
FROM nba_precompute.player_daily_cache AS c
JOIN dnp AS d ON d.game_date = c.cache_date AND d.player_lookup = c.player_lookup
WHERE c.cache_date BETWEEN @start_date AND @end_date AND c.created_at <= @as_of
ORDER BY c.points_avg_last_10 DESC, c.cache_date, c.player_lookup
LIMIT 5000
