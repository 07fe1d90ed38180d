-- Grading coverage per prediction system: predictions made vs predictions graded.
WITH predicted AS (
  SELECT system_id, COUNT(*) AS predicted, COUNT(DISTINCT player_lookup) AS players
  FROM nba_predictions.player_prop_predictions
  WHERE game_date = @game_date AND created_at <= @as_of
  GROUP BY system_id
),
graded AS (
  SELECT system_id, COUNT(*) AS graded, COUNTIF(COALESCE(prediction_correct, FALSE)) AS correct,
    MAX(graded_at) AS last_graded_at
  FROM nba_predictions.prediction_accuracy
  WHERE game_date = @game_date AND graded_at <= @as_of
  GROUP BY system_id
)
SELECT
  COALESCE(p.system_id, g.system_id) AS system_id,
  COALESCE(p.predicted, 0) AS predicted,
  COALESCE(g.graded, 0) AS graded,
  COALESCE(g.correct, 0) AS correct,
  COALESCE(p.players, 0) AS players,
  g.last_graded_at  -- how fresh the data is (the panel says how old)
FROM predicted AS p
FULL OUTER JOIN graded AS g ON p.system_id = g.system_id
ORDER BY system_id
