from kafkalab.confluent_kafka import Consumer, Producer
import json

consumer = Consumer({
    "bootstrap.servers": "kafka-1:9092",
    "group.id": "etl-transformer",
    "enable.auto.commit": False,
    "isolation.level": "read_committed",
})

producer = Producer({
    "bootstrap.servers": "kafka-1:9092",
    "transactional.id": "etl-transformer-001",
    "acks": "all",
    "enable.idempotence": True,
})

producer.init_transactions()
consumer.subscribe(["raw-events"])

while True:
    msg = consumer.poll(1.0)
    if msg is None or msg.error():
        continue

    producer.begin_transaction()
    try:
        raw = json.loads(msg.value())
        enriched = {**raw, "enriched": True, "ts": "2026-05-27T00:00:00Z"}
        producer.produce(
            "enriched-events",
            key=msg.key(),
            value=json.dumps(enriched).encode(),
        )
        producer.send_offsets_to_transaction(
            consumer.position(consumer.assignment()),
            consumer.consumer_group_metadata(),
        )
        producer.commit_transaction()
    except Exception:
        producer.abort_transaction()
