"""Training of the quiz model (``make train-quiz``): simulate, fit, export to ONNX, write the card."""
