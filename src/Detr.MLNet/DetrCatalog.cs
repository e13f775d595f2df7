using Detr.MLNet.Persistence;
using Detr.MLNet.Scoring;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Detr.MLNet;

/// <summary>ML.NET catalog extensions for DETR object detection.</summary>
public static class DetrCatalog
{
    /// <summary>
    /// Scores a DETR ONNX model on the <paramref name="imageColumnName"/> column (MLImage), adding
    /// <c>PredictedLabel</c>, <c>Score</c> and <c>PredictedBoundingBoxes</c>.
    /// </summary>
    public static DetrScoringEstimator ApplyDetr(this TransformsCatalog catalog, string modelPath,
        string imageColumnName = DetrColumnNames.Image, float scoreThreshold = 0.5f) =>
        catalog.ApplyDetr(new DetrScoringOptions { ModelPath = modelPath, ImageColumnName = imageColumnName, ScoreThreshold = scoreThreshold });

    /// <summary>Scores a DETR ONNX model with full control over columns, pre/post-processing and the runtime.</summary>
    public static DetrScoringEstimator ApplyDetr(this TransformsCatalog catalog, DetrScoringOptions options)
    {
        var env = MLNetInternals.GetEnvironment(catalog);
        return new DetrScoringEstimator(env, options);
    }

    /// <summary>
    /// Lets <c>mlContext.Model.Load</c> rebuild DETR transformers in a context that has not used Detr.MLNet yet
    /// (the counterpart of <c>ComponentCatalog.RegisterAssembly</c> for custom mappings).
    /// </summary>
    public static void RegisterDetr(this ComponentCatalog catalog) => DetrScoringTransformer.Register(catalog);
}
