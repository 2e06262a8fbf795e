"""The one error the inference raises: bad input, named by its folder or file."""

from __future__ import annotations


class InferError(ValueError):
    """The landed files cannot be turned into a spec; the message names the folder or file and
    says what would be valid. Nothing is written when it is raised."""
