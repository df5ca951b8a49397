"""Reference samplers: text (LLaDA low-confidence remasking, LaViDa prefix cache, Fast-dLLM threshold decoding),
grounding (LOC slots) and images (MaskGIT-style with the stratified order and classifier-free guidance).

Each is a loop over a `denoise.Denoise` seam (`text_loop`, `grounding_loop`, `image_loop`) and a PyTorch denoiser
with the model entry point (`text.generate_text`, `grounding.generate_box`, `image.generate_image`); the ONNX
Runtime denoisers of `lavida_r1.export.ort_denoise` drive the same loops."""
