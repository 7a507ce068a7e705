"""A handler module that fails at import: the runtime client must post init/error."""
raise RuntimeError("cannot initialise: missing configuration")


def handler(event, context):
    return {}
