"""The key-placement explorer of notebook 02: partitions, partitioner, a hot merchant, salting → load per partition.

Each change re-runs :func:`render_keys` on a fresh seeded cluster: create a ``payments`` topic with the
chosen partition count, produce the payment stream of :func:`kafkalab.exercises.nb02.payment_events`
(one merchant making ``hot_percent`` % of the payments) with the chosen partitioner, keyed by
``merchant_id`` or, with ``buckets`` > 1, by the salted ``merchant_id:bucket`` (bucket = md5 of the
payment id modulo ``buckets``), then read the partition logs back.  The figure is the load per
partition (hot merchant stacked on the rest), the tables show the load and where a list of keys of your
own lands under every partitioner.

    keys_explorer()          # in a notebook: sliders, a dropdown, a text box and the chart
"""
from __future__ import annotations

import hashlib
import json

import ipywidgets as w
import pandas as pd

from ..clients import Producer
from ..cluster import Cluster
from ..exercises.nb02 import BOOTSTRAP, HOT_MERCHANT, payment_events
from ..partitioners import murmur2, partition_for_key
from ..viz import style
from ..viz.gallery import sample
from ..viz.partitions import load_bars
from .panel import Panel, View, new_figure

#: (label, partitioner) pairs of the dropdown: the Java client, then librdkafka's hashing partitioners.
PARTITIONER_CHOICES = (("Java client (murmur2)", "java"),
                       ("librdkafka murmur2_random (Java-compatible)", "murmur2_random"),
                       ("librdkafka consistent_random (Python default, CRC32)", "consistent_random"),
                       ("librdkafka fnv1a_random (Go Sarama-compatible)", "fnv1a_random"))
_NAMES = {name: label for label, name in PARTITIONER_CHOICES}


def salted_key(merchant_id: int, payment_id: str, buckets: int) -> bytes:
    """``b"7"`` without salting (``buckets`` <= 1), else ``b"7:<md5(payment_id) % buckets>"``."""
    if buckets <= 1:
        return str(merchant_id).encode()
    bucket = int(hashlib.md5(payment_id.encode()).hexdigest(), 16) % buckets
    return f"{merchant_id}:{bucket}".encode()


def parse_keys(text: str) -> list[bytes]:
    """Comma-separated keys as UTF-8 bytes, blanks dropped, order kept, duplicates removed."""
    out: list[bytes] = []
    for part in text.split(","):
        k = part.strip().encode()
        if k and k not in out:
            out.append(k)
    return out


def key_table(keys: list[bytes], partitions: int) -> pd.DataFrame:
    """One row per key: its murmur2 hash and its partition under every partitioner of the dropdown."""
    rows = [{"key": k.decode(), "murmur2": murmur2(k),
             **{name: partition_for_key(k, partitions, name) for _, name in PARTITIONER_CHOICES}} for k in keys]
    return pd.DataFrame(rows, columns=["key", "murmur2"] + [name for _, name in PARTITIONER_CHOICES])


def render_keys(partitions: int = 12, partitioner: str = "java", hot_percent: int = 80, buckets: int = 1,
                keys: str = "42, 7, alice, order-1001", seed: int = 42) -> View:
    """Produce the payment stream to a fresh ``payments`` topic and show how it spreads over the partitions."""
    if partitioner not in _NAMES:
        raise ValueError(f"partitioner must be one of {', '.join(_NAMES)}, got {partitioner!r}")
    cluster = Cluster(brokers=3, seed=seed)
    cluster.create_topic("payments", partitions=partitions, replication_factor=3)
    # The simulator's producer is librdkafka's; a Java producer is modelled by its partitioner, with the
    # partition passed explicitly (for keyed records it is the same choice murmur2_random makes).
    conf = {"bootstrap.servers": BOOTSTRAP, "partitioner": "murmur2_random" if partitioner == "java" else partitioner}
    producer = Producer(conf, cluster=cluster)
    for e in payment_events(hot_percent=hot_percent):
        key = salted_key(e["merchant_id"], e["payment_id"], buckets)
        part = partition_for_key(key, partitions, "java") if partitioner == "java" else -1
        producer.produce("payments", key=key, value=json.dumps(e, sort_keys=True).encode(), partition=part)
    producer.flush()

    rows, where = [], {}
    for p in range(partitions):
        hot = other = 0
        for _off, (_k, v, _ts, _h), _b in cluster.partition_log("payments", p).records():
            e = json.loads(v)
            where.setdefault(e["payment_id"], set()).add(p)
            hot += e["merchant_id"] == HOT_MERCHANT
            other += e["merchant_id"] != HOT_MERCHANT
        rows.append({"partition": p, "records": hot + other, f"merchant {HOT_MERCHANT}": hot, "others": other})
    load = pd.DataFrame(rows)
    total = int(load["records"].sum())
    load["share"] = (load["records"] / total).round(3)
    hot_parts = [int(p) for p in load.loc[load[f"merchant {HOT_MERCHANT}"] > 0, "partition"]]
    max_share = float(load["share"].max())
    split = sum(len(ps) > 1 for ps in where.values())

    fig = new_figure(7.5, 3.2)
    ax = fig.add_subplot(111)
    load_bars(load, parts=(f"merchant {HOT_MERCHANT}", "others"), ax=ax)
    key_desc = "merchant_id" if buckets <= 1 else f"merchant_id:bucket ({buckets} buckets)"
    style.finding(ax, f"{partitioner}, key = {key_desc}: the hottest partition holds {max_share:.0%} of the records "
                      f"(a fair share is {1 / partitions:.0%})")

    text = (f"{total} records, {len(where)} payments; merchant {HOT_MERCHANT} makes {hot_percent} % of them.\n"
            f"merchant {HOT_MERCHANT} lands on {len(hot_parts)} of {partitions} partitions; the hottest partition "
            f"holds {max_share:.1%} of all records (a fair share is {1 / partitions:.1%}).\n"
            + ("every payment keeps its events on one partition, so they are read in order."
               if split == 0 else f"{split} payments have events on several partitions: those can be read out of "
                                  f"order."))
    key_list = parse_keys(keys)
    tables = {"load per partition": load}
    if key_list:
        tables[f"your keys on {partitions} partitions"] = key_table(key_list, partitions)
    return View(figure=fig, tables=tables, text=text,
                state={"cluster": cluster, "load": load, "hot_partitions": hot_parts, "max_share": max_share,
                       "payments_split": split, "keys": key_list})


def keys_explorer(partitions: int = 12, partitioner: str = "java", hot_percent: int = 80, buckets: int = 1,
                  keys: str = "42, 7, alice, order-1001") -> Panel:
    """The panel: partition count, partitioner, hot merchant's share, salt buckets and keys of your own."""
    controls = {
        "partitions": w.IntSlider(value=partitions, min=1, max=48, description="partitions"),
        "partitioner": w.Dropdown(options=list(PARTITIONER_CHOICES), value=partitioner, description="partitioner"),
        "hot_percent": w.IntSlider(value=hot_percent, min=0, max=100, step=5,
                                   description=f"merchant {HOT_MERCHANT}'s share %"),
        "buckets": w.IntSlider(value=buckets, min=1, max=64, description="salt buckets (1 = none)"),
        "keys": w.Text(value=keys, description="keys (comma-separated)", continuous_update=False),
    }
    return Panel(controls, render_keys, title="Key placement explorer",
                 description="Each change produces the payment stream again to a fresh simulated topic and reads "
                             "the partition logs back.")


@sample(render_keys, "small", "The key-placement explorer as it opens: 12 partitions, merchant 7 makes 80 %.")
def _explorer_small():
    return render_keys()


@sample(render_keys, "large", "48 partitions, salted into 64 buckets.")
def _explorer_large():
    return render_keys(partitions=48, partitioner="consistent_random", hot_percent=60, buckets=64)
