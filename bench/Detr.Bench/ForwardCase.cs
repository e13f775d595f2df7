using Detr.Training.Export;
using Detr.Training.Modeling;
using Detr.Training.Weights;
using static TorchSharp.torch;

namespace Detr.Bench;

/// <summary>
/// What the forward comparisons share: a model holding the baseline's weights in eval mode, the baseline's image with
/// an all-real mask, and the same model exported by <see cref="DetrOnnxExporter"/> in an ONNX Runtime session fed that image.
/// </summary>
sealed class ForwardCase : IDisposable
{
    public ForwardCase(BaselineCase bench, DetectionTransformer model, int threads)
    {
        DetrWeights.LoadInto(model, bench.Weights);
        model.eval();
        Model = model;
        Images = bench.Inputs()["images"];
        Padding = zeros(Images.shape[0], Images.shape[2], Images.shape[3], ScalarType.Bool);
        string onnx = bench.File("ours.onnx");
        DetrOnnxExporter.Export(model, onnx);
        Ort = new OrtDetrSession(onnx, threads, Images, Padding);
    }

    public DetectionTransformer Model { get; }

    public Tensor Images { get; }

    public Tensor Padding { get; }

    public OrtDetrSession Ort { get; }

    /// <summary>The TorchSharp forward under no_grad: last-layer logits and boxes.</summary>
    public (Tensor Logits, Tensor Boxes) Forward()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var outputs = Model.forward(Images, Padding);
        return (outputs.Logits.MoveToOuterDisposeScope(), outputs.Boxes.MoveToOuterDisposeScope());
    }

    public void Dispose() => Ort.Dispose();
}
