"""The built-in scenarios, one module per subject. Importing this package registers them."""

from scenarios.library import interaction, isolation, network, resources, resume, sdk, stateless, transport  # noqa: F401
