-- The first and last game dates with analytics rows, within a bounded range of partitions
-- (the console's `[` `]` and `g` stop at the edges of the data instead of walking into empty dates).
SELECT MIN(game_date) AS first_date, MAX(game_date) AS last_date
FROM nba_analytics.player_game_summary
WHERE game_date BETWEEN @start_date AND @end_date
