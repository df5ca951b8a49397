"""Reference samplers: text (LLaDA low-confidence remasking, LaViDa prefix cache, Fast-dLLM threshold decoding),
grounding (LOC slots) and images (MaskGIT-style with the stratified order and classifier-free guidance)."""
