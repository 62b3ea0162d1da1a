"""The real-server corpus: third-party MCP servers with known bugs, run through the whole suite.

`python -m harness.thirdparty` (`nox -s thirdparty`) installs each server into the cache
(`$FAULTLINE_CACHE/thirdparty`, default `.cache/faultline/thirdparty`), starts it on 127.0.0.1, runs
`faultline run` against it with its profile (thirdparty/profiles/) and compares the verdicts with its
expectations file (thirdparty/expectations/): the known bugs it must FAIL and the WARNs it may give.
"""
