"""The five-axis comparison of notebook 07 is computed: both sides run, and the table reads what is left."""
import pytest

from kafkalab.ecosystem.connect import versus
from kafkalab.ecosystem.connect.connectors import reset_databases
from kafkalab.viz.ecosystem import five_axes, versus_table


@pytest.fixture(scope="module")
def outcomes():
    reset_databases()
    return {(o.side, o.scenario): o for o in versus.compare()}


CUSTOM, SINK = "custom loader", "JDBC sink connector"


def test_clean_run_lands_every_order_on_both_sides(outcomes):
    for side in (CUSTOM, SINK):
        o = outcomes[(side, "clean")]
        assert (o.rows, o.duplicates, o.missing, o.committed) == (12, 0, [], 12), side


def test_poison_record_crash_loops_the_loader_and_goes_to_the_dlq_of_the_sink(outcomes):
    loader, sink = outcomes[(CUSTOM, "poison record")], outcomes[(SINK, "poison record")]
    # the loader dies at order 5 on every restart; order 4 (same batch, inserted before the crash) is inserted again
    assert loader.missing == [6, 7, 8, 9, 10, 11] and loader.duplicates > 0 and loader.committed == 4
    assert loader.state_after.startswith("crashed") and "JSONDecodeError" in loader.observed
    assert (sink.rows, sink.duplicates, sink.missing, sink.dlq, sink.committed) == (11, 0, [], 1, 12)
    assert sink.state_after == "connector RUNNING, task RUNNING"


def test_outages_within_and_past_the_sinks_retries(outcomes):
    short, long_ = outcomes[(SINK, "short outage")], outcomes[(SINK, "long outage")]
    assert short.state_before == "connector RUNNING, task RUNNING" and short.missing == []
    # max.retries=10 x retry.backoff.ms=3000 < 66 s down: FAILED until the operator's restart at 75 s
    assert long_.state_before == "connector RUNNING, task FAILED" and "task FAILED" in long_.observed
    assert long_.state_after == "connector RUNNING, task RUNNING" and long_.missing == [] and long_.duplicates == 0
    loader = outcomes[(CUSTOM, "long outage")]
    assert loader.state_before.startswith("crashed") and "OperationalError" in loader.observed


def test_additive_change_evolves_the_sinks_table_and_the_loader_drops_the_field(outcomes):
    loader, sink = outcomes[(CUSTOM, "additive change")], outcomes[(SINK, "additive change")]
    assert loader.columns == ["id", "amount"] and loader.coupons == 0 and loader.coupons_sent == 8
    assert "coupon" in sink.columns and sink.coupons == sink.coupons_sent == 8


def test_the_table_follows_the_config_not_a_typed_answer():
    """Without errors.tolerance=all the same poison record fails the sink's task instead."""
    reset_databases()
    o = versus.run_connector("poison record", extra={"errors.tolerance": "none"})
    assert o.state_before == "connector RUNNING, task FAILED" and o.dlq == 0 and o.missing


def test_same_seed_same_outcomes_and_the_tables(outcomes):
    reset_databases()
    again = versus.compare(["poison record"])
    assert [(o.rows, o.duplicates, o.missing, o.committed, o.state_after) for o in again] == [
        (o.rows, o.duplicates, o.missing, o.committed, o.state_after)
        for o in (outcomes[(CUSTOM, "poison record")], outcomes[(SINK, "poison record")])]
    table = versus_table(list(outcomes.values()))
    assert len(table) == 2 * len(versus.SCENARIOS)
    axes = five_axes(list(outcomes.values()))
    assert list(axes["axis"]) == ["code", "offset management", "retries / dead letters", "schema evolution",
                                  "observability"]
    assert f"{versus.loader_lines()} lines of Python" in axes.iloc[0, 1] and versus.loader_lines() > 10
