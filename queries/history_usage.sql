-- History: usage-rate coverage per game date and game among active players (played minutes, not DNP).
SELECT
  game_date,
  game_id,
  COUNT(*) AS active_players,
  COUNTIF(usage_rate IS NOT NULL) AS with_usage,
  COUNTIF(COALESCE(usage_rate > @max_usage_rate, FALSE)) AS impossible,
  MAX(usage_rate) AS max_usage_rate
FROM nba_analytics.player_game_summary
WHERE game_date BETWEEN @start_date AND @end_date
  AND processed_at <= @as_of
  AND NOT COALESCE(is_dnp, FALSE)
  AND minutes_played > 0
GROUP BY game_date, game_id
ORDER BY game_date, game_id
