"""Discovery: what a server speaks and lists, and which of its tools plays each scenario role.

listing.py   which revisions it speaks (initialize / server/discover) and its tools/list at each
arguments.py arguments for a call, from an inputSchema
roles.py     roles guessed from tools/list alone (no call)
probe.py     `--probe`: each candidate called once, what it did recorded
choose.py    from observations to roles (verified), the unrefuted guesses kept
render.py    the commented profile YAML
discover.py  `faultline discover` end to end
preflight.py the runner's check before any scenario (revisions, profile against tools/list, unknown tools)
"""
