-- History: grading coverage per game date and prediction system over a range of partitions.
WITH predicted AS (
  SELECT game_date, system_id, COUNT(*) AS predicted, COUNT(DISTINCT player_lookup) AS players
  FROM nba_predictions.player_prop_predictions
  WHERE game_date BETWEEN @start_date AND @end_date AND created_at <= @as_of
  GROUP BY game_date, system_id
),
graded AS (
  SELECT game_date, system_id, COUNT(*) AS graded, COUNTIF(COALESCE(prediction_correct, FALSE)) AS correct
  FROM nba_predictions.prediction_accuracy
  WHERE game_date BETWEEN @start_date AND @end_date AND graded_at <= @as_of
  GROUP BY game_date, system_id
)
SELECT
  COALESCE(p.game_date, g.game_date) AS game_date,
  COALESCE(p.system_id, g.system_id) AS system_id,
  COALESCE(p.predicted, 0) AS predicted,
  COALESCE(g.graded, 0) AS graded,
  COALESCE(g.correct, 0) AS correct,
  COALESCE(p.players, 0) AS players
FROM predicted AS p
FULL OUTER JOIN graded AS g ON p.game_date = g.game_date AND p.system_id = g.system_id
ORDER BY game_date, system_id
