"""The built-in scenarios, one module per subject. Importing this package registers them."""

from scenarios.library import (  # noqa: F401
    faults,
    faults_upstream,
    interaction,
    isolation,
    lists,
    mrtr,
    network,
    resources,
    resume,
    sdk,
    standalone,
    stateless,
    tasks,
    transport,
)
