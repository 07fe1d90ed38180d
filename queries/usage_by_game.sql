-- Usage-rate coverage per game among active players (played minutes, not DNP).
SELECT
  game_id,
  COUNT(*) AS active_players,
  COUNTIF(usage_rate IS NOT NULL) AS with_usage,
  COUNTIF(COALESCE(usage_rate > @max_usage_rate, FALSE)) AS impossible,
  MAX(usage_rate) AS max_usage_rate,
  MAX(processed_at) AS last_processed_at  -- how fresh the data is (the panel says how old)
FROM nba_analytics.player_game_summary
WHERE game_date = @game_date
  AND processed_at <= @as_of
  AND NOT COALESCE(is_dnp, FALSE)
  AND minutes_played > 0
GROUP BY game_id
ORDER BY game_id
