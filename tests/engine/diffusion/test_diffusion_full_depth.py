"""Full-depth forwards of the real architectures on the CPU, with random weights, at a tiny latent size.

Each model is built from its recorded published config (studio/engine/diffusion/configs/) with the
installed diffusers class: every block, real widths, real head counts, and its parameter count must
equal what sizing.py derived for the catalogue's VRAM table. Run here (each fits the machine's RAM in
bf16): Wan 2.1 1.3B, LTX-Video 2B (0.9.5) and CogVideoX 2B transformers, SANA-Video 2B (the small fast
model) transformer, and LTX-Video 0.9.5's VAE decoder, whose timestep conditioning is what makes the
recipe's ``decode_timestep`` matter (finding 3). Weights are copied in from a pool of normal samples, so a
2 B model costs seconds to initialise; the forward passes use a handful of video tokens. Text encoders are
not run (UMT5-XXL and T5-XXL: ~5 B each, counted on the meta device in test_diffusion_sizing).
"""

from __future__ import annotations

import json

import pytest
import torch

from studio.engine.diffusion import sizing

pytestmark = pytest.mark.slow


def _full_depth_random(config: dict, shallow_override: dict | None = None):
    """The component at full depth in float32 with random weights (N(0, 0.02)).

    float32 because the CPU's bf16 kernels (GEMM and depthwise convolutions) run several times slower
    than its float32 ones; the weights come from one shared pool of normal samples, copied in at a
    different offset per tensor, so a 2 B model is filled at memory speed instead of drawing 2 B samples.
    """
    import diffusers

    shallow_override = {"num_layers": 1} if shallow_override is None else shallow_override
    cls = getattr(diffusers, config["_class_name"])
    cfg = {k: v for k, v in config.items() if not k.startswith("_")}
    with torch.device("meta"):
        model = cls.from_config(cfg)
    model = model.to_empty(device="cpu")
    # Buffers computed at construction (rotary tables) do not survive to_empty: take them from a
    # shallow model of the same widths, built normally.
    shallow = cls.from_config({**cfg, **shallow_override})
    shallow_buffers = dict(shallow.named_buffers())
    for name, buf in model.named_buffers():
        if name in shallow_buffers:
            buf.copy_(shallow_buffers[name])
    del shallow
    pool = torch.randn(1 << 22, generator=torch.Generator().manual_seed(0)).mul_(0.02)
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            flat, offset = p.view(-1), (i * 7919) % pool.numel()
            for start in range(0, flat.numel(), pool.numel()):
                n = min(pool.numel(), flat.numel() - start)
                o = offset if offset + n <= pool.numel() else 0
                flat[start:start + n].copy_(pool[o:o + n])
    return model.eval()


def _config(model_id: str, name: str = "transformer") -> dict:
    return json.loads((sizing.CONFIG_DIR / model_id / f"{name}.json").read_text("utf-8"))


def _derived_params(model_id: str, name: str = "transformer") -> int:
    return next(c.params for c in sizing.component_sizes(model_id) if c.name == name)


def _finite_and_varied(out: torch.Tensor) -> None:
    assert torch.isfinite(out.float()).all()
    assert out.float().std() > 0


def test_wan_2_1_1_3b_full_depth_transformer_forward_on_cpu():
    config = json.loads((sizing.CONFIG_DIR / "wan2.1-t2v-1.3b" / "transformer.json").read_text("utf-8"))
    model = _full_depth_random(config)
    assert len(model.blocks) == config["num_layers"] == 30
    assert sum(p.numel() for p in model.parameters()) == next(
        c.params for c in sizing.component_sizes("wan2.1-t2v-1.3b") if c.name == "transformer")
    latents = torch.randn(1, config["in_channels"], 2, 4, 4, generator=torch.Generator().manual_seed(1))
    text = torch.randn(1, 16, config["text_dim"], generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        out = model(hidden_states=latents, timestep=torch.tensor([500]), encoder_hidden_states=text, return_dict=False)[0]
    assert out.shape == latents.shape
    assert torch.isfinite(out.float()).all()
    assert out.float().std() > 0
    del model


def test_ltx_video_2b_0_9_5_full_depth_transformer_forward_on_cpu():
    config = _config("ltx-video-2b")
    model = _full_depth_random(config)
    assert len(model.transformer_blocks) == config["num_layers"] == 28
    params = sum(p.numel() for p in model.parameters())
    assert params == _derived_params("ltx-video-2b") and 1.8e9 < params < 2.0e9  # "LTX-Video 2B"
    frames, h, w = 2, 2, 2  # packed tokens, patch 1: [batch, frames*h*w, channels]
    latents = torch.randn(1, frames * h * w, config["in_channels"], generator=torch.Generator().manual_seed(1))
    text = torch.randn(1, 8, config["caption_channels"], generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        out = model(hidden_states=latents, encoder_hidden_states=text,
                    timestep=torch.tensor([500]), encoder_attention_mask=torch.ones(1, 8, dtype=torch.bool),
                    num_frames=frames, height=h, width=w, rope_interpolation_scale=(8 / 24, 32, 32),
                    return_dict=False)[0]
    assert out.shape == (1, frames * h * w, config["out_channels"])
    _finite_and_varied(out)
    del model


def test_cogvideox_2b_full_depth_transformer_forward_on_cpu():
    config = _config("cogvideox-2b")
    model = _full_depth_random(config)
    assert len(model.transformer_blocks) == config["num_layers"] == 30
    params = sum(p.numel() for p in model.parameters())
    assert params == _derived_params("cogvideox-2b") and 1.6e9 < params < 1.8e9
    # CogVideoX latents are [batch, frames, channels, height, width]; the text runs at its trained length.
    latents = torch.randn(1, 1, config["in_channels"], 2, 2, generator=torch.Generator().manual_seed(1))
    text = torch.randn(1, config["max_text_seq_length"], config["text_embed_dim"], generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        out = model(hidden_states=latents, encoder_hidden_states=text,
                    timestep=torch.tensor([500]), return_dict=False)[0]
    assert out.shape == latents.shape
    _finite_and_varied(out)
    del model


def test_sana_video_2b_full_depth_transformer_forward_on_cpu():
    config = _config("sana-video-2b-480p")
    model = _full_depth_random(config)
    assert len(model.transformer_blocks) == config["num_layers"] == 20
    params = sum(p.numel() for p in model.parameters())
    assert params == _derived_params("sana-video-2b-480p") and 1.9e9 < params < 2.2e9  # "SANA-Video 2B"
    latents = torch.randn(1, config["in_channels"], 2, 4, 4, generator=torch.Generator().manual_seed(1))
    text = torch.randn(1, 8, config["caption_channels"], generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        out = model(hidden_states=latents, encoder_hidden_states=text,
                    timestep=torch.tensor([500]), encoder_attention_mask=torch.ones(1, 8), return_dict=False)[0]
    assert out.shape == latents.shape
    _finite_and_varied(out)
    del model


def test_ltx_video_0_9_5_vae_decoder_full_depth_uses_the_decode_timestep():
    config = _config("ltx-video-2b", "vae")
    # The 0.9.5 VAE conditions its decoder on a timestep; the 0.9.0 one did not (finding 3).
    assert config["timestep_conditioning"] is True and config["decoder_causal"] is False
    vae = _full_depth_random(config, shallow_override={})
    assert sum(p.numel() for p in vae.parameters()) == _derived_params("ltx-video-2b", "vae")
    decoder = vae.decoder
    assert len(decoder.up_blocks) == len(config["decoder_block_out_channels"])
    z = torch.randn(1, config["latent_channels"], 2, 2, 2, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        plain = vae.decode(z, temb=torch.tensor([0.0]), return_dict=False)[0]
        at_recipe = vae.decode(z, temb=torch.tensor([0.05]), return_dict=False)[0]
    # 8x in time (causal first frame), 32x in space: 2 latent frames -> 9 frames of 64x64.
    assert plain.shape == (1, 3, 9, 64, 64)
    _finite_and_varied(plain)
    assert not torch.allclose(plain, at_recipe), "the decode timestep changes the decoded frames"
    del vae
