"""``make bench``: measure the running system against issue #19 and write docs/benchmarks.*.

    uv run python -m samleng.devstack.bench [--complaints 3000] [--history 1000000]
        [--skip-reporting] [--output docs]      # --help for the rest

In one run, on the four services started as processes on a vhost and databases of their
own (``runner``):

1. warm-up: complaints through the whole flow (their documents are the history's shape);
2. the ceiling: one FastAPI request doing one MongoDB transaction (``ceiling_app``),
   driven by wrk (``ceiling``);
3. the whole flow at an empty history: complaints over HTTP until routing decided, and
   intake, notification and reporting stored their part of every one (``flow``,
   ``probes``, ``tap``): complaints per second, CPU ms per complaint per process
   (``meters``), MongoDB operations per complaint per service, lost and duplicated;
4. submission latency and submitted → assigned at half that rate (open loop);
5. the history preloaded into every service's database (``history``), the services
   restarted on it, and 3 and 4 again;
6. reporting's summary benchmark (``--skip-reporting`` leaves it out).

Results (``report``) are written after every phase, so an interrupted run keeps them.
On 2 cores at today's speed (about 25 complaints/s) the whole run takes roughly an hour:
the 1M-case preload and the restart on it (reporting publishes every year) take about
half, reporting's own benchmark about ten minutes (``--skip-reporting``).
"""
