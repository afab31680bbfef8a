"""Share consumer parity: confluent-kafka 2.16's ShareConsumer on librdkafka's mock cluster (which answers the
KIP-932 RPCs) against kafkalab's, on the same steps."""
from harness import parity


@parity()
def test_share_consumer_release_redelivers_and_explicit_mode_guards_poll(ck, env):
    env.topic("jobs")
    c = ck.ShareConsumer(env.conf({"group.id": "w", "share.acknowledgement.mode": "explicit"}, fast=False))
    env.step("poll before subscribe", c.poll, 0.1)
    c.subscribe(["jobs"])
    for _ in range(4):  # join; share.auto.offset.reset=latest starts the share partitions at their end
        c.poll(1.0)
    p = env.producer()
    for i in range(3):
        p.produce("jobs", value=f"job-{i}".encode(), partition=0)
    p.flush(2)
    got = []
    for _ in range(10):
        got = list(c.poll(1.0))
        if got:
            break
    first = [(m.partition(), m.offset(), m.value(), m.delivery_count()) for m in got]
    c.acknowledge(got[0], ck.AcknowledgeType.RELEASE)
    for m in got[1:]:
        c.acknowledge(m)
    errors = sorted(str(e) for e in c.commit_sync(5).values())
    again = [(m.offset(), m.delivery_count()) for m in c.poll(5)]
    env.step("poll with a record not acknowledged", c.poll, 0.1)
    c.close()
    env.step("poll after close", c.poll, 0.1)
    return first, errors, again


@parity()
def test_share_consumer_implicit_mode_accepts_at_the_next_poll(ck, env):
    env.topic("jobs")
    c = ck.ShareConsumer(env.conf({"group.id": "w2"}, fast=False))
    c.subscribe(["jobs"])
    for _ in range(4):
        c.poll(1.0)
    p = env.producer()
    for i in range(2):
        p.produce("jobs", value=f"job-{i}".encode(), partition=1)
    p.flush(2)
    got = []
    for _ in range(10):
        got = list(c.poll(1.0))
        if got:
            break
    env.step("acknowledge in implicit mode", c.acknowledge, got[0])
    later = [m.offset() for m in c.poll(2)]  # accepts the batch: nothing comes back
    c.close()
    return [(m.partition(), m.offset(), m.delivery_count()) for m in got], later
