using Detr.Training.Export.Onnx;

namespace Detr.Training.Export;

/// <summary>The input's pixel mask brought to a feature map's size inside the graph, as the reference's <c>F.interpolate</c>.</summary>
static class OnnxMaskExport
{
    /// <summary>
    /// PyTorch's nearest interpolation of <paramref name="pixelMask"/> [N,H,W] (int64, 1 = real pixel) to the size of
    /// <paramref name="features"/> [N,C,h,w]: source index = min(floor(i · in/out), in − 1) with the ratio in float32.
    /// Written out with Gather so it matches PyTorch exactly at every size. Returns [N,h,w] float, 1 = real pixel.
    /// </summary>
    public static string Downsample(OnnxGraphBuilder g, string pixelMask, string features)
    {
        string valid = g.Node("Cast", [pixelMask], ("to", (long)TensorProto.Types.DataType.Float));
        string maskShape = g.Node("Shape", [pixelMask]);
        string featureShape = g.Node("Shape", [features]);
        string Indices(long maskAxis, long featureAxis)
        {
            string input = g.Node("Gather", [maskShape, g.Int64(maskAxis)]);
            string output = g.Node("Gather", [featureShape, g.Int64(featureAxis)]);
            string toFloat(string v) => g.Node("Cast", [v], ("to", (long)TensorProto.Types.DataType.Float));
            string ratio = g.Node("Div", [toFloat(input), toFloat(output)]);
            string positions = toFloat(g.Node("Range", [g.Int64(0), output, g.Int64(1)]));
            string index = g.Node("Cast", [g.Node("Floor", [g.Node("Mul", [positions, ratio])])], ("to", (long)TensorProto.Types.DataType.Int64));
            return g.Node("Min", [index, g.Node("Sub", [input, g.Int64(1)])]);
        }
        string rows = g.Node("Gather", [valid, Indices(1, 2)], ("axis", 1L));
        return g.Node("Gather", [rows, Indices(2, 3)], ("axis", 2L));
    }
}
