"""Writes a safetensors file of f32 tensors, independently of Kiln's writer.

usage: make_safetensors.py OUT NAME=DIMxDIM:v,v,v [NAME=...]
(`2x3:1,2,3,4,5,6`; a shape of `scalar` means rank 0)
"""
import json
import struct
import sys

out, specs = sys.argv[1], sys.argv[2:]
header, data = {}, b""
for spec in specs:
    name, rest = spec.split("=", 1)
    shape_text, values_text = rest.split(":", 1)
    shape = [] if shape_text == "scalar" else [int(d) for d in shape_text.split("x")]
    values = [float(v) for v in values_text.split(",")] if values_text else []
    blob = struct.pack("<%df" % len(values), *values)
    header[name] = {"dtype": "F32", "shape": shape,
                    "data_offsets": [len(data), len(data) + len(blob)]}
    data += blob
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + data)
