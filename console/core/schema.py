"""The default data model: the four BigQuery tables the console reads, and the Firestore
collection of the Phase 3 completion documents.

One description serves DuckDB DDL, scenario-file validation, BigQuery table creation and
the demo generator, so the backends cannot disagree about a column.
"""

from __future__ import annotations

from dataclasses import dataclass

# phase3_completion/{processing_date}: the orchestrator's record of each Phase 3 processor
# (core/phase3_doc.py reads one). The Phase 3 check, the live listener, scenario validation
# and the demo all name the collection through this constant.
PHASE3_COLLECTION = "phase3_completion"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # BigQuery type: DATE, TIMESTAMP, STRING, FLOAT64, INT64, BOOL
    nullable: bool = True


@dataclass(frozen=True)
class TableSpec:
    logical: str  # key in Settings.tables
    default_name: str  # dataset.table as the SQL files spell it
    partition: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


_PREDICTION_KEYS = (
    Column("game_date", "DATE", False),
    Column("player_lookup", "STRING", False),
    Column("system_id", "STRING", False),
    Column("predicted_points", "FLOAT64"),
    Column("line_value", "FLOAT64"),
    Column("recommendation", "STRING"),
    Column("confidence_score", "FLOAT64"),
)

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "player_game_summary",
        "nba_analytics.player_game_summary",
        "game_date",
        (
            Column("game_date", "DATE", False),
            Column("game_id", "STRING", False),
            Column("player_lookup", "STRING", False),
            Column("player_name", "STRING"),
            Column("team_abbr", "STRING"),
            Column("minutes_played", "FLOAT64"),
            Column("points", "INT64"),
            Column("usage_rate", "FLOAT64"),
            Column("is_dnp", "BOOL"),
            Column("processed_at", "TIMESTAMP"),
        ),
    ),
    TableSpec(
        "player_daily_cache",
        "nba_precompute.player_daily_cache",
        "cache_date",
        (
            Column("cache_date", "DATE", False),
            Column("player_lookup", "STRING", False),
            Column("player_name", "STRING"),
            Column("points_avg_last_10", "FLOAT64"),
            Column("games_in_window", "INT64"),
            Column("created_at", "TIMESTAMP"),
        ),
    ),
    TableSpec(
        "player_prop_predictions",
        "nba_predictions.player_prop_predictions",
        "game_date",
        (*_PREDICTION_KEYS, Column("created_at", "TIMESTAMP")),
    ),
    TableSpec(
        "prediction_accuracy",
        "nba_predictions.prediction_accuracy",
        "game_date",
        (
            *_PREDICTION_KEYS,
            Column("actual_points", "FLOAT64"),
            Column("prediction_correct", "BOOL"),
            Column("graded_at", "TIMESTAMP"),
        ),
    ),
)

BY_LOGICAL = {t.logical: t for t in TABLES}
BY_DEFAULT_NAME = {t.default_name: t for t in TABLES}

DUCKDB_TYPES = {
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMPTZ",
    "STRING": "VARCHAR",
    "FLOAT64": "DOUBLE",
    "INT64": "BIGINT",
    "BOOL": "BOOLEAN",
}
