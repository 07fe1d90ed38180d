-- The newest game date with analytics rows, within a bounded range of partitions.
SELECT MAX(game_date) AS game_date
FROM nba_analytics.player_game_summary
WHERE game_date BETWEEN @start_date AND @end_date
