from harness import parity


@parity()
def test_produce_then_consume(ck, env):
    env.topic("orders")
    p = env.producer()
    env.step("produce", p.produce, "orders", b"v", key=b"k", partition=2, on_delivery=env.dr)
    env.step("flush", p.flush, 2)
    c = env.consumer(group=None)
    c.assign([ck.TopicPartition("orders", 2, 0)])
    m = c.poll(2)
    return (m.topic(), m.partition(), m.offset(), m.key(), m.value()), len(p)
