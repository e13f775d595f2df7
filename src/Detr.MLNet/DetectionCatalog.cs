using Microsoft.ML;

namespace Detr.MLNet;

/// <summary>
/// Object detection in ML.NET style: <c>mlContext.Detection().Trainers.Detr(...)</c> (from Detr.Training) and
/// <c>mlContext.Detection().Evaluate(...)</c>.
/// </summary>
public sealed class DetectionCatalog
{
    internal DetectionCatalog(MLContext context)
    {
        Context = context;
        Trainers = new DetectionTrainers(context);
    }

    /// <summary>The context this catalog belongs to.</summary>
    public MLContext Context { get; }

    /// <summary>Detection trainers; Detr.Training adds <c>Detr(...)</c> here.</summary>
    public DetectionTrainers Trainers { get; }

    /// <summary>
    /// COCO metrics (identical to pycocotools' COCOeval) of a scored view that still carries the ground-truth Labels and
    /// Boxes columns. Score with <c>ScoreThreshold = 0</c> for the standard mAP. <paramref name="options"/> defaults to
    /// pycocotools' bbox parameters (set <c>UseCategories = false</c> for class-agnostic metrics).
    /// </summary>
    public Evaluation.CocoMetrics Evaluate(IDataView predictions, string labelColumnName = DetrColumnNames.Labels,
        string boxesColumnName = DetrColumnNames.Boxes, string predictedLabelColumnName = DetrColumnNames.PredictedLabel,
        string scoreColumnName = DetrColumnNames.Score, string predictedBoxesColumnName = DetrColumnNames.PredictedBoundingBoxes,
        Evaluation.CocoEvaluationOptions? options = null) =>
        Evaluation.DetectionEvaluation.Evaluate(predictions, labelColumnName, boxesColumnName, predictedLabelColumnName, scoreColumnName, predictedBoxesColumnName, options);
}

/// <summary>Holder for detection trainer extension methods.</summary>
public sealed class DetectionTrainers
{
    internal DetectionTrainers(MLContext context) => Context = context;

    /// <summary>The context the trainers are created in.</summary>
    public MLContext Context { get; }
}

/// <summary>Entry point: <c>mlContext.Detection()</c>.</summary>
public static class DetectionCatalogExtensions
{
    /// <summary>The detection catalog of <paramref name="context"/>.</summary>
    public static DetectionCatalog Detection(this MLContext context) => new(context);
}
