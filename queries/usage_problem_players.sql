-- Active players whose usage rate is missing or impossible (drill-down of usage-rate coverage).
SELECT
  game_id, player_lookup, player_name, team_abbr, minutes_played, points, usage_rate,
  CASE WHEN usage_rate IS NULL THEN 'missing' ELSE 'impossible' END AS problem
FROM nba_analytics.player_game_summary
WHERE game_date = @game_date
  AND processed_at <= @as_of
  AND NOT COALESCE(is_dnp, FALSE)
  AND minutes_played > 0
  AND (usage_rate IS NULL OR usage_rate > @max_usage_rate)
ORDER BY problem, game_id, minutes_played DESC, player_lookup
LIMIT 5000
