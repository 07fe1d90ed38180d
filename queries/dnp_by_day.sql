-- Cache rows per day and how many of them belong to a player who did not play (DNP) that day.
WITH dnp AS (
  SELECT DISTINCT game_date, player_lookup
  FROM nba_analytics.player_game_summary
  WHERE game_date BETWEEN @start_date AND @end_date AND is_dnp AND processed_at <= @as_of
)
SELECT
  c.cache_date,
  COUNT(*) AS cache_rows,
  COUNTIF(d.player_lookup IS NOT NULL) AS dnp_rows,
  MAX(c.created_at) AS last_created_at  -- how fresh the data is (the panel says how old)
FROM nba_precompute.player_daily_cache AS c
LEFT JOIN dnp AS d ON d.game_date = c.cache_date AND d.player_lookup = c.player_lookup
WHERE c.cache_date BETWEEN @start_date AND @end_date AND c.created_at <= @as_of
GROUP BY c.cache_date
ORDER BY c.cache_date
