"""Contracts and plumbing shared by every Samleng service.

Only schemas (events), topology, settings and connection helpers live here: no domain
logic of any service. Import what you need from the submodules, e.g.::

    from samleng.common.events import ComplaintSubmitted
    from samleng.common.topology import Topology
"""
