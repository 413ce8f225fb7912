// A 4 -> 3 linear + relu model used by the kiln-run tests (weights: tiny-mlp.safetensors).
func.func @mlp(%x: tensor<?x4xf32> {kiln.name = "x"}) -> (tensor<?x3xf32> {kiln.name = "y"}) {
  %w = kiln.param "fc.weight" : tensor<3x4xf32>
  %b = kiln.param "fc.bias" : tensor<3xf32>
  %y = kiln.linear %x, %w, %b : tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32> -> tensor<?x3xf32>
  %r = kiln.relu %y : tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}
