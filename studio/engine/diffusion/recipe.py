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


def call_for(family, job: DiffusionJob, speed=None) -> dict[str, Any]:
    """The full pipeline call: the family's arguments, then the catalogue recipe over them, then
    the speed preset's own recipe (a few-step preset's sigmas and guidance variants) over that."""
    kwargs = family.call_kwargs(job)
    kwargs.update(job.spec.call_defaults)
    if speed is not None:
        kwargs.update(speed.call)
    return kwargs


def set_scheduler(pipe, overrides: dict[str, Any] | None) -> None:
    """The pipeline's scheduler as loaded, with ``overrides`` on its config (a distilled recipe's
    ``use_dynamic_shifting=False``...). The loaded scheduler is kept, so a shot without overrides
    after one with them gets the checkpoint's own scheduler back."""
    base = getattr(pipe, "_studio_base_scheduler", None)
    if base is None:
        base = pipe._studio_base_scheduler = pipe.scheduler
    if not overrides:
        if pipe.scheduler is not base:
            pipe.scheduler = base
        return
    current = pipe.scheduler
    wanted = {k: v for k, v in overrides.items()}
    if current is not base and all(current.config.get(k) == v for k, v in wanted.items()):
        return
    pipe.scheduler = type(base).from_config(base.config, **wanted)


def accepts_step_callback(pipe) -> bool:
    """Whether the pipeline's ``__call__`` takes diffusers' ``callback_on_step_end``
    (HunyuanVideo 1.5's does not: it runs a guider loop without one)."""
    import inspect

    return "callback_on_step_end" in inspect.signature(type(pipe).__call__).parameters


class SchedulerStepHook:
    """For a pipeline without ``callback_on_step_end``: the same callback, called after each
    ``scheduler.step`` with the new latents, for the duration of one call (a context manager).

    The callback's return value is ignored (it may only observe and raise, which is all the
    engine's progress, preview and cancel callback does)."""

    def __init__(self, pipe, callback):
        self.pipe, self.callback, self.step = pipe, callback, 0

    def __enter__(self):
        scheduler = self.pipe.scheduler
        original = scheduler.step

        def step(*args, **kwargs):
            out = original(*args, **kwargs)
            latents = out[0] if isinstance(out, tuple) else getattr(out, "prev_sample", None)
            timestep = args[1] if len(args) > 1 else kwargs.get("timestep")
            self.callback(self.pipe, self.step, timestep, {"latents": latents})
            self.step += 1
            return out

        scheduler.step = step
        self._scheduler = scheduler
        return self

    def __exit__(self, *exc):
        vars(self._scheduler).pop("step", None)  # the class's own method again
        return False
