namespace Detr.Training.Export;

/// <summary>
/// The torchvision-layout ResNet body (<c>backbone.0.body.*</c>) as ONNX: stem, four stages of basic or bottleneck
/// blocks read off the weights, frozen batch norms folded into the convolutions, optional dilation in the last stage (DC5).
/// </summary>
static class OnnxResNetExport
{
    const string Body = "backbone.0.body.";

    /// <summary>Returns the last stage's feature map [N, C, H/32, W/32] (H/16 with dilation).</summary>
    public static string Build(OnnxLayers layers, string pixels, bool dilation) => Stages(layers, pixels, dilation)[^1];

    /// <summary>
    /// The maps of layer2, layer3 and layer4 (C3, C4, C5: strides 8, 16, 32; the last 16 with dilation), for the
    /// multi-scale architectures.
    /// </summary>
    public static string[] Stages(OnnxLayers layers, string pixels, bool dilation)
    {
        var outputs = new List<string>();
        var g = layers.Graph;
        string x = layers.Relu(layers.ConvFrozenBatchNorm(pixels, Body + "conv1.weight", Body + "bn1", stride: 2, padding: 3, dilation: 1));
        x = g.Node("MaxPool", [x], ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 }));
        bool bottleneck = layers.Weights.Contains(Body + "layer1.0.conv3.weight");
        int currentDilation = 1;
        for (int stage = 1; stage <= 4; stage++)
        {
            string prefix = $"{Body}layer{stage}.";
            int blocks = layers.Weights.CountChildren(prefix);
            if (blocks == 0)
                throw new KeyNotFoundException($"The model has no blocks under '{prefix}'.");
            int stride = stage == 1 ? 1 : 2;
            int previousDilation = currentDilation;
            if (stage == 4 && dilation)
            {
                currentDilation *= stride;
                stride = 1;
            }
            for (int b = 0; b < blocks; b++)
            {
                // torchvision: the first block keeps the previous dilation and carries the stride.
                int blockDilation = b == 0 ? previousDilation : currentDilation;
                int blockStride = b == 0 ? stride : 1;
                x = bottleneck
                    ? Bottleneck(layers, x, $"{prefix}{b}.", blockStride, blockDilation)
                    : Basic(layers, x, $"{prefix}{b}.", blockStride, blockDilation);
            }
            if (stage >= 2)
                outputs.Add(x);
        }
        return outputs.ToArray();
    }

    static string Basic(OnnxLayers layers, string x, string prefix, int stride, int dilation)
    {
        string y = layers.Relu(layers.ConvFrozenBatchNorm(x, prefix + "conv1.weight", prefix + "bn1", stride, dilation, dilation));
        y = layers.ConvFrozenBatchNorm(y, prefix + "conv2.weight", prefix + "bn2", 1, dilation, dilation);
        return layers.Relu(layers.Add(y, Shortcut(layers, x, prefix, stride)));
    }

    static string Bottleneck(OnnxLayers layers, string x, string prefix, int stride, int dilation)
    {
        // torchvision v1.5: the stride sits on the 3×3 convolution.
        string y = layers.Relu(layers.ConvFrozenBatchNorm(x, prefix + "conv1.weight", prefix + "bn1", 1, 0, 1));
        y = layers.Relu(layers.ConvFrozenBatchNorm(y, prefix + "conv2.weight", prefix + "bn2", stride, dilation, dilation));
        y = layers.ConvFrozenBatchNorm(y, prefix + "conv3.weight", prefix + "bn3", 1, 0, 1);
        return layers.Relu(layers.Add(y, Shortcut(layers, x, prefix, stride)));
    }

    static string Shortcut(OnnxLayers layers, string x, string prefix, int stride) =>
        layers.Weights.Contains(prefix + "downsample.0.weight")
            ? layers.ConvFrozenBatchNorm(x, prefix + "downsample.0.weight", prefix + "downsample.1", stride, 0, 1)
            : x;
}
