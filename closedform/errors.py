"""Errors and warnings users can catch or filter by name (one module, like scikit-learn's ``exceptions``)."""


class InputError(ValueError):
    """Bad user input: the message names the value, what was expected and, where possible, a fix."""


class UnsafeExpressionError(InputError):
    """An expression string used something outside the whitelist; nothing of it was executed."""


def one_of(kind: str, value, allowed) -> InputError:
    """The error for an unknown option: ``activation 'foo' is unknown; known: a, b, c``."""
    return InputError(f"{kind} {value!r} is unknown; known: {', '.join(sorted(allowed))}")


def registry_entry(kind: str, spec, registry: dict, aliases: dict, example: str):
    """The constructor registered under the name ``spec`` (case and aliases folded), or a named error."""
    if not isinstance(spec, str):
        raise InputError(f"{kind} {spec!r} must be a name such as {example!r}")
    name = aliases.get(spec.strip().lower(), spec.strip().lower())
    if name not in registry:
        raise one_of(kind, spec, registry)
    return registry[name]
