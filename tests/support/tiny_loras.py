"""Real LoRA .safetensors files for the tiny test transformers, made with PEFT and saved by diffusers."""

from __future__ import annotations

from pathlib import Path


def build_lora(model_folder: Path, out: Path, *, rank: int = 4, seed: int = 0, scale: float = 1.0) -> Path:
    """A LoRA on the attention projections of ``model_folder``'s transformer, random (non-zero) weights.

    Saved with the pipeline class's own ``save_lora_weights`` (keys like
    ``transformer.blocks.0.attn1.to_q.lora_A.weight``), the layout diffusers and PEFT trainers write.
    """
    import json

    import diffusers
    import torch
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    index = json.loads((Path(model_folder) / "model_index.json").read_text())
    pipeline_cls = getattr(diffusers, index["_class_name"])
    transformer_cls = getattr(diffusers, index["transformer"][1])
    transformer = transformer_cls.from_pretrained(Path(model_folder) / "transformer")
    torch.manual_seed(seed)
    transformer.add_adapter(LoraConfig(r=rank, lora_alpha=rank, init_lora_weights=False,
                                       target_modules=["to_q", "to_k", "to_v", "to_out.0"]))
    state = get_peft_model_state_dict(transformer)
    state = {k: v * scale for k, v in state.items()}
    out.mkdir(parents=True, exist_ok=True)
    pipeline_cls.save_lora_weights(str(out), transformer_lora_layers=state, safe_serialization=True)
    return out / "pytorch_lora_weights.safetensors"
