"""Consumer: subscribe/assign/seek/store_offsets/commit/consume misuse, and use after close()."""
from harness import parity


def _assigned(ck, env, extra=None, parts=(0,)):
    env.topic("orders")
    c = env.consumer(extra)
    c.assign([ck.TopicPartition("orders", p, 0) for p in parts])
    return c


def _fill(ck, env, n=3, partition=0):
    env.topic("orders")
    p = env.producer()
    for i in range(n):
        p.produce("orders", b"v%d" % i, key=b"k", partition=partition)
    p.flush(2)


@parity(params=[[], (), ("orders",), "orders", ["orders", "orders"], [""], [None], [5], None, ["^ord.*"]])
def test_subscribe_argument(ck, env, param):
    env.topic("orders")
    c = env.consumer()
    env.step("subscribe", c.subscribe, param)
    return [tp.topic for tp in c.assignment()]


@parity(params=[1, "cb", None])
def test_subscribe_on_assign_not_callable(ck, env, param):
    env.topic("orders")
    c = env.consumer()
    env.step("subscribe", c.subscribe, ["orders"], on_assign=param)


@parity()
def test_subscribe_missing_topic_then_poll(ck, env):
    """A subscription to a topic that does not exist: no exception from subscribe(); poll reports it."""
    c = env.consumer()
    env.step("subscribe", c.subscribe, ["missing"])
    m = env.step("poll", c.poll, 1)
    return None if m is None else (m.error().name() if m.error() else "message")


@parity()
def test_subscribe_then_assign_then_unsubscribe(ck, env):
    env.topic("orders")
    c = env.consumer()
    env.step("subscribe", c.subscribe, ["orders"])
    env.step("unsubscribe", c.unsubscribe)
    env.step("unsubscribe again", c.unsubscribe)
    env.step("assign", c.assign, [ck.TopicPartition("orders", 0)])
    return [(tp.topic, tp.partition) for tp in c.assignment()]


@parity(params=[[("orders", 9)], [("orders", -1)], [("nosuch", 0)], [("orders", 0), ("orders", 0)]])
def test_assign_unknown_or_odd_partitions(ck, env, param):
    env.topic("orders")
    c = env.consumer()
    env.step("assign", c.assign, [ck.TopicPartition(t, p) for t, p in param])
    return sorted((tp.topic, tp.partition) for tp in c.assignment())


@parity(params=["orders", [("orders", 0)], None, [None]])
def test_assign_argument_type(ck, env, param):
    env.topic("orders")
    c = env.consumer()
    env.step("assign", c.assign, param)


@parity()
def test_assign_then_poll_unknown_partition(ck, env):
    env.topic("orders")
    c = env.consumer()
    c.assign([ck.TopicPartition("orders", 9, 0)])
    m = env.step("poll", c.poll, 1)
    return None if m is None else (m.error().name() if m.error() else "message")


@parity()
def test_assign_missing_topic_then_poll(ck, env):
    c = env.consumer()
    c.assign([ck.TopicPartition("nosuch", 0, 0)])
    m = env.step("poll", c.poll, 1)
    return None if m is None else (m.error().name() if m.error() else "message")


@parity(params=[("orders", 1, 0), ("orders", 0, 5), ("orders", 9, 0), ("nosuch", 0, 0)])
def test_seek(ck, env, param):
    c = _assigned(ck, env)
    env.step("seek", c.seek, ck.TopicPartition(*param))


@parity()
def test_seek_before_any_fetch_then_poll(ck, env):
    _fill(ck, env, 3)
    c = _assigned(ck, env)
    env.step("seek", c.seek, ck.TopicPartition("orders", 0, 2))
    m = c.poll(2)
    return m.offset(), m.value()


@parity(params=[[("orders", 1, 5)], [("orders", 0, 5)], [("nosuch", 0, 1)], [("orders", 0, -1)]])
def test_store_offsets(ck, env, param):
    c = _assigned(ck, env, {"enable.auto.offset.store": False})
    env.step("store_offsets", c.store_offsets, offsets=[ck.TopicPartition(*t) for t in param])


@parity()
def test_store_offsets_with_auto_store_on(ck, env):
    c = _assigned(ck, env)
    env.step("store_offsets", c.store_offsets, offsets=[ck.TopicPartition("orders", 0, 1)])


@parity()
def test_store_offsets_without_arguments(ck, env):
    c = _assigned(ck, env, {"enable.auto.offset.store": False})
    env.step("store_offsets", c.store_offsets)


@parity()
def test_store_offsets_of_message(ck, env):
    _fill(ck, env, 2)
    c = _assigned(ck, env, {"enable.auto.offset.store": False})
    m = c.poll(2)
    env.step("store message", c.store_offsets, message=m)
    env.step("store both", c.store_offsets, message=m, offsets=[ck.TopicPartition("orders", 0, 1)])
    env.step("commit", c.commit, asynchronous=False)
    return [(tp.partition, tp.offset) for tp in c.committed([ck.TopicPartition("orders", 0)], timeout=2)]


@parity(params=[True, False])
def test_commit_nothing_stored(ck, env, param):
    c = _assigned(ck, env, {"enable.auto.commit": False})
    env.step("commit", c.commit, asynchronous=param)


@parity(params=[[("orders", 1, 5)], [("nosuch", 0, 1)], [("orders", 9, 1)], [("orders", 0, -5)]])
def test_commit_sync_explicit_offsets(ck, env, param):
    """Commits of partitions this consumer does not own go to the coordinator all the same."""
    c = _assigned(ck, env, {"enable.auto.commit": False})
    res = env.step("commit", c.commit, offsets=[ck.TopicPartition(*t) for t in param], asynchronous=False)
    return None if res is None else [(tp.topic, tp.partition, tp.offset, tp.error and tp.error.name())
                                     for tp in res]


@parity(params=[[("orders", 0, 2)], [("orders", 1, 5)]])
def test_commit_async_with_on_commit(ck, env, param):
    got = []
    c = _assigned(ck, env, {"enable.auto.commit": False,
                            "on_commit": lambda err, parts: got.append(
                                (err and err.name(), [(p.topic, p.partition, p.offset) for p in parts]))})
    env.step("commit", c.commit, offsets=[ck.TopicPartition(*t) for t in param], asynchronous=True)
    for _ in range(20):
        c.poll(0.1)
        if got:
            break
    return got


@parity()
def test_commit_message_and_offsets_together(ck, env):
    _fill(ck, env, 1)
    c = _assigned(ck, env, {"enable.auto.commit": False})
    m = c.poll(2)
    env.step("commit", c.commit, message=m, offsets=[ck.TopicPartition("orders", 0, 1)])


@parity(params=["orders", [("orders", 0, 1)], 5])
def test_commit_argument_type(ck, env, param):
    c = _assigned(ck, env, {"enable.auto.commit": False})
    env.step("commit", c.commit, offsets=param, asynchronous=False)


@parity()
def test_committed_and_position(ck, env):
    _fill(ck, env, 3)
    c = _assigned(ck, env, {"enable.auto.commit": False})
    c.poll(2)
    c.commit(asynchronous=False)
    com = c.committed([ck.TopicPartition("orders", 0), ck.TopicPartition("orders", 1)], timeout=2)
    pos = c.position([ck.TopicPartition("orders", 0), ck.TopicPartition("orders", 3)])
    return [(t.partition, t.offset) for t in com], [(t.partition, t.offset) for t in pos]


@parity(params=[0, -1, 1, 1000000, 1000001, "5", None, 2.0])
def test_consume_num_messages(ck, env, param):
    c = _assigned(ck, env)
    res = env.step("consume", c.consume, param, timeout=0.2)
    return None if res is None else len(res)


@parity(params=[0, -1, "1", None, 0.1])
def test_consume_timeout_values(ck, env, param):
    _fill(ck, env, 1)
    c = _assigned(ck, env)
    res = env.step("consume", c.consume, 1, timeout=param)
    return None if res is None else len(res)


@parity(params=[0, "1", None, -1])
def test_poll_timeout_values(ck, env, param):
    _fill(ck, env, 1)
    c = _assigned(ck, env)
    m = env.step("poll", c.poll, param)
    return None if m is None else m.value()


@parity()
def test_use_after_close(ck, env):
    c = _assigned(ck, env)
    env.step("close", c.close)
    for name, args in [("poll", (0,)), ("consume", (1, 0)), ("assign", ([ck.TopicPartition("orders", 0)],)),
                       ("subscribe", (["orders"],)), ("assignment", ()), ("commit", ()), ("unsubscribe", ()),
                       ("position", ([ck.TopicPartition("orders", 0)],)), ("close", ())]:
        env.step(name, getattr(c, name), *args)


@parity(params=[[("orders", 1)], [("nosuch", 0)], "orders"])
def test_pause_resume_unassigned(ck, env, param):
    c = _assigned(ck, env)
    parts = param if isinstance(param, str) else [ck.TopicPartition(t, p) for t, p in param]
    env.step("pause", c.pause, parts)
    env.step("resume", c.resume, parts)


@parity(params=[("orders", 0), ("orders", 9), ("nosuch", 0)])
def test_get_watermark_offsets(ck, env, param):
    _fill(ck, env, 2)
    c = env.consumer()
    res = env.step("watermarks", c.get_watermark_offsets, ck.TopicPartition(*param), timeout=2)
    return res


@parity()
def test_poll_without_assignment(ck, env):
    c = env.consumer()
    return env.step("poll", c.poll, 0.2)


@parity()
def test_consumer_list_topics_does_not_create(ck, env):
    c = env.consumer()
    md = c.list_topics("ghost", timeout=2)
    t = md.topics["ghost"]
    return t.error.name() if t.error else sorted(t.partitions)


@parity()
def test_incremental_assign_twice_and_unassign_unknown(ck, env):
    env.topic("orders")
    c = env.consumer()
    env.step("incremental_assign", c.incremental_assign, [ck.TopicPartition("orders", 0, 0)])
    env.step("incremental_assign again", c.incremental_assign, [ck.TopicPartition("orders", 0, 0)])
    env.step("incremental_unassign other", c.incremental_unassign, [ck.TopicPartition("orders", 1)])
    return sorted((tp.topic, tp.partition) for tp in c.assignment())
