"""The fault suite of issue #20: kill, cut and stall what Samleng runs on, under load.

    make faults                                    # every scenario; writes docs/faults.md
    uv run python -m samleng.devstack.faults --only kill-once,poison --mongo-outage 15

Every scenario runs the four services as processes on private infrastructure started
here (a RabbitMQ node or three-node cluster, a one- or three-member MongoDB replica set,
TCP proxies, a stand-in SMS gateway), all on loopback and on free ports, and torn down
at the end even on failure; the shared development broker and mongod are never touched.
Under a steady load it injects one fault and then checks that every accepted complaint
was assigned, counted by reporting exactly once and sent one SMS (or retried under the
same key), and that no dead-letter queue holds a healthy message.

Modules: :mod:`.rabbit`, :mod:`.mongo`, :mod:`.proxy`, :mod:`.gateway` (infrastructure),
:mod:`.load`, :mod:`.system`, :mod:`.world` (the system under load), :mod:`.amqp` (raw
broker moves), :mod:`.scenarios`, :mod:`.runner`, :mod:`.report` (the table).
"""
