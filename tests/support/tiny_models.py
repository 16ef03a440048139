"""Tiny, randomly initialised diffusers pipelines of every family Studio drives.

No hub access: text encoders come from transformers configs, tokenizers are
built in memory with the `tokenizers` library, and the diffusers models from
small configs (the shapes diffusers' own fast tests use). Each builder saves
the pipeline with ``save_pretrained`` plus a ``studio_model.json`` that states
its native size and steps, so the product's real loader reads it like any
local model folder. Seeds are fixed: the same builder gives the same weights.
"""

from __future__ import annotations

import json
from pathlib import Path

WORDS = (
    "a an the and in on at of to with her his she he they is are walks runs sits studies reads "
    "morning night evening day rain snow sun city street cafe university lecture hall room park "
    "camera dolly pan zoom slow light warm cold red blue coat hair black short long girl boy woman man "
    "student mei kenta says sound music style setting cinematic natural realistic motion consistent "
    "lighting blurry low quality worst distorted face deformed hands extra limbs flicker jitter watermark "
    "text subtitles static frame locked off orbit around subject tilts up down pans left right"
).split()


def _vocab(extra_special: tuple[str, ...] = ()) -> dict[str, int]:
    vocab: dict[str, int] = {}
    for tok in ("<pad>", "</s>", "<unk>", "<bos>", *extra_special):
        vocab.setdefault(tok, len(vocab))
    for w in WORDS:
        vocab.setdefault(w, len(vocab))
    return vocab


def t5_tokenizer(max_length: int = 32):
    """A word-level tokenizer with T5's special tokens (pad 0, eos 1), built in memory."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = _vocab()
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", vocab["</s>"])])
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>",
                                   model_max_length=max_length)


def gemma_tokenizer(max_length: int = 32):
    """A word-level tokenizer with Gemma's specials (pad 0, eos 1, bos 2), left padding."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab: dict[str, int] = {}
    for t in ("<pad>", "<eos>", "<bos>", "<unk>", "<start_of_image>", "<end_of_image>", "<image_soft_token>"):
        vocab[t] = len(vocab)
    for w in WORDS:
        vocab.setdefault(w, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(single="<bos> $A", special_tokens=[("<bos>", vocab["<bos>"])])
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>", bos_token="<bos>",
                                   unk_token="<unk>", model_max_length=max_length, padding_side="left")


def _t5_encoder(cls_name: str = "T5EncoderModel", d_model: int = 32):
    import torch
    import transformers

    torch.manual_seed(0)
    if cls_name == "UMT5EncoderModel":
        cfg = transformers.UMT5Config(vocab_size=160, d_model=d_model, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
                                      relative_attention_num_buckets=8)
    else:
        cfg = transformers.T5Config(vocab_size=160, d_model=d_model, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
                                    relative_attention_num_buckets=8)
    return getattr(transformers, cls_name)(cfg)


def _save(pipe, folder: Path, card: dict) -> Path:
    import torch

    for module in pipe.components.values():
        if isinstance(module, torch.nn.Module):
            module.eval()
    folder.mkdir(parents=True, exist_ok=True)
    pipe.save_pretrained(str(folder))
    (folder / "studio_model.json").write_text(json.dumps(card, indent=2), "utf-8")
    return folder


def build_wan(folder: Path) -> Path:
    """A Wan 2.2 TI2V-style pipeline (48-channel VAE, expand_timesteps): text- and image-to-video."""
    import torch
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanPipeline, WanTransformer3DModel

    torch.manual_seed(0)
    vae = AutoencoderKLWan(
        base_dim=3, z_dim=48, in_channels=12, out_channels=12, is_residual=True, patch_size=2,
        latents_mean=[0.0] * 48, latents_std=[1.0] * 48, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
        scale_factor_spatial=16, scale_factor_temporal=4, temperal_downsample=[False, True, True],
    )
    torch.manual_seed(0)
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=48, out_channels=48,
        text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True,
        qk_norm="rms_norm_across_heads", rope_max_seq_len=32,
    )
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)
    pipe = WanPipeline(tokenizer=t5_tokenizer(), text_encoder=_t5_encoder("UMT5EncoderModel"), vae=vae,
                       scheduler=scheduler, transformer=transformer, expand_timesteps=True)
    card = {"base": "wan2.2-ti2v-5b", "id": "tiny-wan", "name": "tiny Wan", "native_size": [64, 32],
            "size_multiple": 32, "frames": {"step": 4, "offset": 1, "max": 21}, "fps": 8,
            "steps": {"draft": 2, "standard": 3, "high": 4}, "flow_shift": None, "max_sequence_length": 16,
            "dtype": "float32", "download_gb": 0.0}
    return _save(pipe, folder, card)


def build_ltx(folder: Path) -> Path:
    """An LTX-Video pipeline (LTXPipeline; LTXImageToVideoPipeline shares its weights)."""
    import torch
    from diffusers import AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler, LTXPipeline, LTXVideoTransformer3DModel

    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(in_channels=8, out_channels=8, patch_size=1, patch_size_t=1,
                                        num_attention_heads=4, attention_head_dim=8, cross_attention_dim=32,
                                        num_layers=1, caption_channels=32)
    torch.manual_seed(0)
    vae = AutoencoderKLLTXVideo(latent_channels=8, block_out_channels=(8, 8, 8, 8),
                           spatio_temporal_scaling=(True, True, False, False), layers_per_block=(1, 1, 1, 1, 1),
                           patch_size=1, patch_size_t=1, encoder_causal=True, decoder_causal=False)
    pipe = LTXPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=_t5_encoder(),
                       tokenizer=t5_tokenizer(), transformer=transformer)
    card = {"base": "ltx-video-2b", "id": "tiny-ltx", "name": "tiny LTX-Video", "native_size": [32, 32],
            "size_multiple": 32, "frames": {"step": 4, "offset": 1, "max": 17}, "fps": 8,
            "steps": {"draft": 2, "standard": 2, "high": 3}, "max_sequence_length": 16, "dtype": "float32"}
    return _save(pipe, folder, card)


def build_cogvideox(folder: Path) -> Path:
    """A CogVideoX pipeline (text-to-video, fixed 16×16 native size)."""
    import torch
    from diffusers import AutoencoderKLCogVideoX, CogVideoXPipeline, CogVideoXTransformer3DModel, DDIMScheduler

    torch.manual_seed(0)
    transformer = CogVideoXTransformer3DModel(
        num_attention_heads=4, attention_head_dim=8, in_channels=4, out_channels=4, time_embed_dim=2,
        text_embed_dim=32, num_layers=1, sample_width=2, sample_height=2, sample_frames=9, patch_size=2,
        temporal_compression_ratio=4, max_text_seq_length=16,
    )
    torch.manual_seed(0)
    vae = AutoencoderKLCogVideoX(
        in_channels=3, out_channels=3, down_block_types=("CogVideoXDownBlock3D",) * 4,
        up_block_types=("CogVideoXUpBlock3D",) * 4, block_out_channels=(8, 8, 8, 8), latent_channels=4,
        layers_per_block=1, norm_num_groups=2, temporal_compression_ratio=4,
    )
    pipe = CogVideoXPipeline(tokenizer=t5_tokenizer(), text_encoder=_t5_encoder(), vae=vae,
                             transformer=transformer, scheduler=DDIMScheduler())
    card = {"base": "cogvideox-2b", "id": "tiny-cogvideox", "name": "tiny CogVideoX", "native_size": [16, 16],
            "size_multiple": 16, "fixed_size": True, "frames": {"step": 4, "offset": 1, "max": 9}, "fps": 8,
            "steps": {"draft": 2, "standard": 2, "high": 3}, "max_sequence_length": 16, "dtype": "float32"}
    return _save(pipe, folder, card)


def build_ltx2(folder: Path) -> Path:
    """An LTX-2 pipeline (video and sound) with a tiny Gemma 3 text encoder."""
    import torch
    import transformers
    from diffusers import AutoencoderKLLTX2Audio, AutoencoderKLLTX2Video, FlowMatchEulerDiscreteScheduler, LTX2Pipeline
    from diffusers import LTX2VideoTransformer3DModel
    from diffusers.pipelines.ltx2 import LTX2TextConnectors
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder

    torch.manual_seed(0)
    text_cfg = transformers.Gemma3TextConfig(vocab_size=160, hidden_size=32, intermediate_size=32, num_hidden_layers=2,
                                             num_attention_heads=4, num_key_value_heads=1, head_dim=8,
                                             max_position_embeddings=256, sliding_window=64)
    vision_cfg = transformers.SiglipVisionConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                                 num_attention_heads=2, image_size=16, patch_size=4)
    cfg = transformers.Gemma3Config(text_config=text_cfg, vision_config=vision_cfg, mm_tokens_per_image=4,
                                    boi_token_index=4, eoi_token_index=5, image_token_index=6)
    text_encoder = transformers.Gemma3ForConditionalGeneration(cfg)
    hidden = text_cfg.hidden_size
    torch.manual_seed(0)
    transformer = LTX2VideoTransformer3DModel(
        in_channels=4, out_channels=4, patch_size=1, patch_size_t=1, num_attention_heads=2, attention_head_dim=8,
        cross_attention_dim=16, audio_in_channels=4, audio_out_channels=4, audio_num_attention_heads=2,
        audio_attention_head_dim=4, audio_cross_attention_dim=8, num_layers=2, qk_norm="rms_norm_across_heads",
        caption_channels=hidden, rope_double_precision=False, rope_type="split",
    )
    torch.manual_seed(0)
    connectors = LTX2TextConnectors(
        caption_channels=hidden, text_proj_in_factor=text_cfg.num_hidden_layers + 1,
        video_connector_num_attention_heads=4, video_connector_attention_head_dim=8, video_connector_num_layers=1,
        video_connector_num_learnable_registers=None, audio_connector_num_attention_heads=4,
        audio_connector_attention_head_dim=8, audio_connector_num_layers=1,
        audio_connector_num_learnable_registers=None, connector_rope_base_seq_len=32, rope_theta=10000.0,
        rope_double_precision=False, causal_temporal_positioning=False, rope_type="split",
    )
    torch.manual_seed(0)
    vae = AutoencoderKLLTX2Video(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8,), decoder_block_out_channels=(8,),
        layers_per_block=(1,), decoder_layers_per_block=(1, 1), spatio_temporal_scaling=(True,),
        decoder_spatio_temporal_scaling=(True,), decoder_inject_noise=(False, False), downsample_type=("spatial",),
        upsample_residual=(False,), upsample_factor=(1,), timestep_conditioning=False, patch_size=1, patch_size_t=1,
        encoder_causal=True, decoder_causal=False,
    )
    torch.manual_seed(0)
    audio_vae = AutoencoderKLLTX2Audio(
        base_channels=4, output_channels=2, ch_mult=(1,), num_res_blocks=1, attn_resolutions=None, in_channels=2,
        resolution=32, latent_channels=2, norm_type="pixel", causality_axis="height", dropout=0.0,
        mid_block_add_attention=False, sample_rate=16000, mel_hop_length=160, is_causal=True, mel_bins=8,
    )
    torch.manual_seed(0)
    vocoder = LTX2Vocoder(
        in_channels=audio_vae.config.output_channels * audio_vae.config.mel_bins, hidden_channels=32, out_channels=2,
        upsample_kernel_sizes=[4, 4], upsample_factors=[2, 2], resnet_kernel_sizes=[3], resnet_dilations=[[1, 3, 5]],
        leaky_relu_negative_slope=0.1, output_sampling_rate=16000,
    )
    pipe = LTX2Pipeline(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, audio_vae=audio_vae,
                        text_encoder=text_encoder, tokenizer=gemma_tokenizer(), connectors=connectors,
                        transformer=transformer, vocoder=vocoder)
    temporal = pipe.vae_temporal_compression_ratio
    # The LTX-2 pipeline insists on sides divisible by 32 whatever the VAE's ratio.
    card = {"base": "ltx-2", "id": "tiny-ltx2", "name": "tiny LTX-2", "native_size": [32, 32],
            "size_multiple": 32, "frames": {"step": temporal, "offset": 1, "max": 4 * temporal + 1}, "fps": 8,
            "steps": {"draft": 2, "standard": 2, "high": 3}, "max_sequence_length": 16, "dtype": "float32",
            "call_defaults": {"stg_scale": 0.0, "audio_stg_scale": 0.0, "spatio_temporal_guidance_blocks": None,
                              "modality_scale": 1.0, "audio_modality_scale": 1.0, "guidance_rescale": 0.0,
                              "audio_guidance_rescale": 0.0, "use_cross_timestep": False}}
    return _save(pipe, folder, card)


def t5_unigram_tokenizer(max_length: int = 77):
    """A T5TokenizerFast over a Unigram vocabulary (what T5Tokenizer saves and reloads as)."""
    import transformers
    from tokenizers import Tokenizer, models, pre_tokenizers

    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)] + [("\u2581" + w, -1.0) for w in WORDS]
    tok = Tokenizer(models.Unigram(pieces, unk_id=2))
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    return transformers.T5TokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>",
                                        model_max_length=max_length, extra_ids=0)


def build_stable_audio(folder: Path) -> Path:
    """A Stable Audio Open pipeline (Oobleck VAE, DiT, T5) at a tiny sample rate."""
    import torch
    from diffusers import (AutoencoderOobleck, CosineDPMSolverMultistepScheduler, StableAudioDiTModel,
                           StableAudioPipeline, StableAudioProjectionModel)

    torch.manual_seed(0)
    transformer = StableAudioDiTModel(sample_size=200, in_channels=3, num_layers=2, attention_head_dim=4,
                                      num_attention_heads=2, num_key_value_attention_heads=2, out_channels=3,
                                      cross_attention_dim=4, time_proj_dim=8, global_states_input_dim=8,
                                      cross_attention_input_dim=4)
    scheduler = CosineDPMSolverMultistepScheduler(solver_order=2, prediction_type="v_prediction", sigma_data=1.0,
                                                  sigma_schedule="exponential")
    torch.manual_seed(0)
    vae = AutoencoderOobleck(encoder_hidden_size=6, downsampling_ratios=[1, 2], decoder_channels=3,
                             decoder_input_channels=3, audio_channels=2, channel_multiples=[2, 4], sampling_rate=200)
    text_encoder = _t5_encoder(d_model=32)
    projection = StableAudioProjectionModel(text_encoder_dim=32, conditioning_dim=4, min_value=0, max_value=32)
    pipe = StableAudioPipeline(vae=vae, text_encoder=text_encoder, projection_model=projection,
                               tokenizer=t5_unigram_tokenizer(), transformer=transformer, scheduler=scheduler)
    card = {"base": "stable-audio-open-1.0", "id": "tiny-stable-audio", "max_seconds": 2.0,
            "steps": {"draft": 2, "standard": 2, "high": 3}, "dtype": "float32"}
    return _save(pipe, folder, card)


def build_audioldm2(folder: Path) -> Path:
    """An AudioLDM 2 pipeline (CLAP + T5 + GPT-2 + UNet + HiFi-GAN) at diffusers' fast-test sizes."""
    import torch
    import transformers
    from diffusers import AudioLDM2Pipeline, AudioLDM2ProjectionModel, AudioLDM2UNet2DConditionModel, AutoencoderKL
    from diffusers import DDIMScheduler
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    torch.manual_seed(0)
    unet = AudioLDM2UNet2DConditionModel(block_out_channels=(32, 64), layers_per_block=2, sample_size=32,
                                         in_channels=4, out_channels=4,
                                         down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
                                         up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
                                         cross_attention_dim=([None, 16, 32], [None, 16, 32]))
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
                              set_alpha_to_one=False)
    torch.manual_seed(0)
    vae = AutoencoderKL(block_out_channels=[32, 64], in_channels=1, out_channels=1,
                        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
                        up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"], latent_channels=4)
    torch.manual_seed(0)
    text_cfg = transformers.ClapTextConfig(bos_token_id=0, eos_token_id=2, hidden_size=16, intermediate_size=37,
                                           layer_norm_eps=1e-05, num_attention_heads=2, num_hidden_layers=2,
                                           pad_token_id=1, vocab_size=1000, projection_dim=16)
    audio_cfg = transformers.ClapAudioConfig(spec_size=64, window_size=4, num_mel_bins=64, intermediate_size=37,
                                             layer_norm_eps=1e-05, depths=[2, 2], num_attention_heads=[2, 2],
                                             num_hidden_layers=2, hidden_size=192, projection_dim=16, patch_size=2,
                                             patch_stride=2, patch_embed_input_channels=4)
    clap = transformers.ClapModel(transformers.ClapConfig(text_config=text_cfg.to_dict(),
                                                          audio_config=audio_cfg.to_dict(), projection_dim=16))
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for w in WORDS:
        vocab.setdefault(w, len(vocab))
    word_level = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    word_level.normalizer = normalizers.Lowercase()
    word_level.pre_tokenizer = pre_tokenizers.Whitespace()
    word_level.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    roberta = transformers.RobertaTokenizerFast(tokenizer_object=word_level, bos_token="<s>", eos_token="</s>",
                                                pad_token="<pad>", unk_token="<unk>", model_max_length=77)
    torch.manual_seed(0)
    language_model = transformers.GPT2Model(transformers.GPT2Config(n_embd=16, n_head=2, n_layer=2, vocab_size=1000,
                                                                    n_ctx=99, n_positions=99))
    language_model.config.max_new_tokens = 8
    torch.manual_seed(0)
    projection = AudioLDM2ProjectionModel(text_encoder_dim=16, text_encoder_1_dim=32, langauge_model_dim=16)
    vocoder = transformers.SpeechT5HifiGan(transformers.SpeechT5HifiGanConfig(
        model_in_dim=8, sampling_rate=16000, upsample_initial_channel=16, upsample_rates=[2, 2],
        upsample_kernel_sizes=[4, 4], resblock_kernel_sizes=[3, 7], resblock_dilation_sizes=[[1, 3, 5], [1, 3, 5]],
        normalize_before=False))
    pipe = AudioLDM2Pipeline(unet=unet, scheduler=scheduler, vae=vae, text_encoder=clap,
                             text_encoder_2=_t5_encoder(d_model=32), tokenizer=roberta,
                             tokenizer_2=t5_unigram_tokenizer(), feature_extractor=transformers.ClapFeatureExtractor(hop_length=7900),
                             language_model=language_model, projection_model=projection, vocoder=vocoder)
    card = {"base": "audioldm2", "id": "tiny-audioldm2", "max_seconds": 0.032,
            "steps": {"draft": 1, "standard": 1, "high": 2}, "dtype": "float32"}
    return _save(pipe, folder, card)


def build_skyreels(folder: Path) -> Path:
    """A SkyReels-V2 diffusion-forcing pipeline (text and image), Wan 2.1-shaped (16-channel VAE)."""
    import torch
    from diffusers import (AutoencoderKLWan, SkyReelsV2DiffusionForcingPipeline, SkyReelsV2Transformer3DModel,
                           UniPCMultistepScheduler)

    torch.manual_seed(0)
    vae = AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                           temperal_downsample=[False, True, True])
    torch.manual_seed(0)
    transformer = SkyReelsV2Transformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=16, out_channels=16,
        text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True, qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32, inject_sample_info=True,
    )
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=8.0)
    pipe = SkyReelsV2DiffusionForcingPipeline(tokenizer=t5_tokenizer(), text_encoder=_t5_encoder("UMT5EncoderModel"),
                                              transformer=transformer, vae=vae, scheduler=scheduler)
    # Diffusion forcing at tiny scale: a 9-frame context (3 latent frames) slid along with 5 frames of history.
    card = {"base": "skyreels-v2-df-1.3b-540p", "id": "tiny-skyreels", "name": "tiny SkyReels DF",
            "native_size": [64, 32], "size_multiple": 16, "frames": {"step": 4, "offset": 1, "max": 21}, "fps": 8,
            "steps": {"draft": 2, "standard": 3, "high": 4}, "flow_shift": None, "max_sequence_length": 16,
            "dtype": "float32", "download_gb": 0.0, "component_dtypes": {},
            "call_defaults": {"base_num_frames": 9, "overlap_history": 5, "addnoise_condition": 20,
                              "ar_step": 0, "causal_block_size": None}}
    return _save(pipe, folder, card)


def build_sana_video(folder: Path) -> Path:
    """A SANA-Video pipeline: Gemma-2 text encoder, Wan 2.1-shaped VAE, linear-attention transformer."""
    import torch
    import transformers
    from diffusers import AutoencoderKLWan, FlowMatchEulerDiscreteScheduler, SanaVideoPipeline, SanaVideoTransformer3DModel

    torch.manual_seed(0)
    vae = AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                           temperal_downsample=[False, True, True])
    torch.manual_seed(0)
    transformer = SanaVideoTransformer3DModel(
        in_channels=16, out_channels=16, num_attention_heads=2, attention_head_dim=12, num_layers=2,
        num_cross_attention_heads=2, cross_attention_head_dim=12, cross_attention_dim=24, caption_channels=32,
        mlp_ratio=2.5, sample_size=8, patch_size=(1, 2, 2), norm_elementwise_affine=False, norm_eps=1e-6,
        qk_norm="rms_norm_across_heads", rope_max_seq_len=32,
    )
    torch.manual_seed(0)
    text_encoder = transformers.Gemma2Model(transformers.Gemma2Config(
        vocab_size=160, hidden_size=32, intermediate_size=37, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=1, head_dim=16, max_position_embeddings=512))
    scheduler = FlowMatchEulerDiscreteScheduler(shift=8.0)
    pipe = SanaVideoPipeline(tokenizer=gemma_tokenizer(512), text_encoder=text_encoder, vae=vae, transformer=transformer,
                             scheduler=scheduler)
    card = {"base": "sana-video-2b-480p", "id": "tiny-sana-video", "name": "tiny SANA-Video",
            "native_size": [64, 32], "size_multiple": 32, "frames": {"step": 4, "offset": 1, "max": 21}, "fps": 8,
            "steps": {"draft": 2, "standard": 3, "high": 4}, "flow_shift": None, "max_sequence_length": 16,
            "dtype": "float32", "download_gb": 0.0, "component_dtypes": {}}
    return _save(pipe, folder, card)


AUDIO_BUILDERS = {"stable_audio": build_stable_audio, "audioldm2": build_audioldm2}

BUILDERS = {"wan": build_wan, "ltx": build_ltx, "cogvideox": build_cogvideox, "ltx2": build_ltx2,
            "skyreels": build_skyreels, "sana_video": build_sana_video}
"""Families with a tiny pipeline (HunyuanVideo 1.5 and Kandinsky 5 have none yet: their Qwen2.5-VL text
encoders need a Qwen tokenizer and chat template the tests cannot build offline)."""
