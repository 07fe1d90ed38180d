-- Predictions of the game date that have no grading row yet (drill-down of grading coverage).
WITH graded AS (
  SELECT system_id, player_lookup
  FROM nba_predictions.prediction_accuracy
  WHERE game_date = @game_date AND graded_at <= @as_of
)
SELECT p.system_id, p.player_lookup, p.predicted_points, p.line_value, p.recommendation
FROM nba_predictions.player_prop_predictions AS p
LEFT JOIN graded AS g ON g.system_id = p.system_id AND g.player_lookup = p.player_lookup
WHERE p.game_date = @game_date AND p.created_at <= @as_of AND g.player_lookup IS NULL
ORDER BY p.system_id, p.player_lookup
LIMIT 5000
