using Detr.MLNet;
using Detr.MLNet.Scoring;
using Microsoft.ML;

namespace Detr.Cli.Pipeline;

/// <summary>What <c>train</c> and <c>demo</c> leave behind: model.onnx and an ML.NET model zip that loads images from an ImagePath column.</summary>
static class TrainedModelFiles
{
    /// <summary>Writes <paramref name="model"/> into <paramref name="folder"/> as model.onnx and model.zip.</summary>
    public static void Save(MLContext ml, DetrScoringTransformer model, string folder)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.Write(Path.Combine(folder, "model.onnx"), s => s.Write(model.Model.ModelBytes));
        var schema = ml.Data.LoadFromEnumerable(Array.Empty<ImagePathRow>()).Schema;
        ml.Model.Save(ImageLoading.Before(ml, model), schema, Path.Combine(folder, "model.zip"));
    }
}
