"""What every family passes the same way: the prompt length and the start image.

The rest of a model's recipe (guidance variants, timestep lists, decode timestep and
noise...) is the catalogue's ``call_defaults``, which the engine lays over the family's
call. `call_for` is that composition, used by the engine and by the recipe tests.
"""

from __future__ import annotations

from typing import Any

from studio.engine.diffusion.job import DiffusionJob


def recipe_kwargs(job: DiffusionJob) -> dict[str, Any]:
    """``max_sequence_length`` (when the catalogue sets one); ``image`` and the image-only recipe
    arguments (when the shot starts from one)."""
    kwargs: dict[str, Any] = {}
    if job.max_sequence_length:
        kwargs["max_sequence_length"] = job.max_sequence_length
    if job.image is not None:
        kwargs["image"] = job.image
        kwargs.update(job.spec.image_call_defaults)
    return kwargs


def call_for(family, job: DiffusionJob) -> dict[str, Any]:
    """The full pipeline call: the family's arguments, then the catalogue recipe over them."""
    kwargs = family.call_kwargs(job)
    kwargs.update(job.spec.call_defaults)
    return kwargs
