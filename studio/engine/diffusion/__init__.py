"""Video diffusion through Hugging Face diffusers: the catalogue (data), one file per
model family (wan, ltx, ltx2, cogvideox), the loader, device and memory profiles,
previews, and text-to-audio (audio.py). Importing this package imports no torch."""
