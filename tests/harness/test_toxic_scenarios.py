"""#18: the toxic scenarios' fault records (type and stream, the default stream too), and a real Toxiproxy (no `faultline.*` toxics) makes a scenario
that needs one NOT-APPLICABLE with that reason, never ERROR, while the classic-toxic scenarios still run."""

from __future__ import annotations

import pytest

from harness.history import Fault
from harness.profiles import REFERENCE
from harness.proxy.api import ApiServer
from harness.proxy.client import TOXIPROXY, ProxyClient
from harness.revisions import ALL
from harness.runner import RunConfig, run_suite
from harness.targets import UrlTarget
from reference_agents.server import running_agents
from scenarios.api import select

pytestmark = pytest.mark.anyio


async def test_a_faultline_toxic_on_a_real_toxiproxy_is_not_applicable_and_classic_ones_still_run(monkeypatch):
    async def real_toxiproxy(self: ProxyClient) -> object:
        return TOXIPROXY  # what the probe finds at a real Toxiproxy (404 on /faultline)

    monkeypatch.setattr(ProxyClient, "capabilities", real_toxiproxy)
    api = ApiServer("127.0.0.1", 0)
    await api.start()
    try:
        async with running_agents() as url:
            config = RunConfig(select(["network-down-up", "toxic-limit-mid-event"]), ALL, REFERENCE, proxy=api.url)
            results = await run_suite(UrlTarget(url), config)
    finally:
        await api.stop()
    status = {(r.scenario, r.revision): r for r in results}
    for rev in ALL:
        needs_cut = status[("network-down-up", rev.value)]
        assert needs_cut.reason.startswith("the faultline.sse_cut toxic is a Faultline extension"), needs_cut.reason
        assert {v.status for v in needs_cut.verdicts if v.check.startswith("scenario:")} == {"NOT-APPLICABLE"}
        classic = status[("toxic-limit-mid-event", rev.value)]
        assert classic.reason == "" and not [v for v in classic.verdicts if v.status in ("ERROR", "FAIL")]
        added = [f for f in classic.history.of(Fault) if f.action == "add"]
        assert [(f.toxic["type"], f.toxic["stream"]) for f in added] == [("limit_data", "downstream")]

