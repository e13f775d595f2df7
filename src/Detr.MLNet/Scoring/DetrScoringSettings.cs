using System.Text.Json;
using Detr.MLNet.Imaging;
using Microsoft.ML.OnnxRuntime;

namespace Detr.MLNet.Scoring;

/// <summary>What a saved DETR scoring transformer stores besides the ONNX bytes (as JSON, so it reads across versions).</summary>
sealed record DetrScoringSettings
{
    public string ImageColumnName { get; init; } = DetrColumnNames.Image;
    public string PredictedLabelColumnName { get; init; } = DetrColumnNames.PredictedLabel;
    public string ScoreColumnName { get; init; } = DetrColumnNames.Score;
    public string PredictedBoundingBoxesColumnName { get; init; } = DetrColumnNames.PredictedBoundingBoxes;
    public int? ShortestEdge { get; init; }
    public int? LongestEdge { get; init; }
    public float ScoreThreshold { get; init; }
    public int? MaxDetections { get; init; }
    // Saved as resolved, so a reloaded transformer decodes as the fitted one did; older zips lack it and read Auto.
    public DetrPostprocessing Postprocessing { get; init; }
    public int BatchSize { get; init; }
    public string[] LabelNames { get; init; } = [];
    public DetrOnnxLayout Layout { get; init; }
    public string? ImageInputName { get; init; }
    public string? MaskInputName { get; init; }
    public string? LogitsOutputName { get; init; }
    public string? BoxesOutputName { get; init; }
    public int? IntraOpThreads { get; init; }
    public GraphOptimizationLevel GraphOptimizationLevel { get; init; }
    public bool SkipUnreadableImages { get; init; }
    // Zips saved before the limit existed read back with the default one.
    public long? MaxImagePixels { get; init; } = ImageFileGuard.DefaultMaxPixels;

    public static DetrScoringSettings From(DetrScoringModel model) => new()
    {
        ImageColumnName = model.Options.ImageColumnName,
        PredictedLabelColumnName = model.Options.PredictedLabelColumnName,
        ScoreColumnName = model.Options.ScoreColumnName,
        PredictedBoundingBoxesColumnName = model.Options.PredictedBoundingBoxesColumnName,
        ShortestEdge = model.ShortestEdge,
        LongestEdge = model.LongestEdge,
        ScoreThreshold = model.Options.ScoreThreshold,
        MaxDetections = model.Options.MaxDetections,
        Postprocessing = model.Signature.Postprocessing,
        BatchSize = model.Options.BatchSize,
        LabelNames = model.LabelNames.ToArray(),
        Layout = model.Options.Layout,
        ImageInputName = model.Signature.ImageInput,
        MaskInputName = model.Signature.MaskInput,
        LogitsOutputName = model.Signature.LogitsOutput,
        BoxesOutputName = model.Signature.BoxesOutput,
        IntraOpThreads = model.Options.IntraOpThreads,
        GraphOptimizationLevel = model.Options.GraphOptimizationLevel,
        SkipUnreadableImages = model.Options.SkipUnreadableImages,
        MaxImagePixels = model.Options.MaxImagePixels,
    };

    // The device is deliberately not saved: a model saved on a GPU machine must load on a CPU-only one.
    public DetrScoringOptions ToOptions(byte[] modelBytes) => new()
    {
        ModelBytes = modelBytes,
        ImageColumnName = ImageColumnName,
        PredictedLabelColumnName = PredictedLabelColumnName,
        ScoreColumnName = ScoreColumnName,
        PredictedBoundingBoxesColumnName = PredictedBoundingBoxesColumnName,
        ShortestEdge = ShortestEdge,
        LongestEdge = LongestEdge,
        ScoreThreshold = ScoreThreshold,
        MaxDetections = MaxDetections,
        Postprocessing = Postprocessing,
        BatchSize = BatchSize,
        LabelNames = LabelNames,
        Layout = Layout,
        ImageInputName = ImageInputName,
        MaskInputName = MaskInputName,
        LogitsOutputName = LogitsOutputName,
        BoxesOutputName = BoxesOutputName,
        IntraOpThreads = IntraOpThreads,
        GraphOptimizationLevel = GraphOptimizationLevel,
        SkipUnreadableImages = SkipUnreadableImages,
        MaxImagePixels = MaxImagePixels,
    };

    public string ToJson() => JsonSerializer.Serialize(this);

    public static DetrScoringSettings FromJson(string json) =>
        JsonSerializer.Deserialize<DetrScoringSettings>(json) ?? throw new InvalidDataException("Empty DETR scoring settings in the model zip.");
}
