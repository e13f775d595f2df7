using Detr.MLNet.Persistence;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.Image;

namespace Detr.MLNet.Scoring;

/// <summary>
/// Estimator for <see cref="DetrScoringTransformer"/>. Nothing is trained: <see cref="Fit"/> checks the input schema
/// and hands over the model, which is opened (and validated) when the estimator is created.
/// </summary>
public sealed class DetrScoringEstimator : IEstimator<DetrScoringTransformer>
{
    readonly IHostEnvironment _env;
    readonly DetrScoringOptions _options;
    readonly IReadOnlyList<string> _labelNames;
    DetrScoringModel? _unclaimedModel;

    /// <summary>Opens the model now, so a wrong path or a non-DETR model fails here rather than mid-pipeline.</summary>
    public DetrScoringEstimator(IHostEnvironment env, DetrScoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _env = env;
        _options = options.Clone();
        _unclaimedModel = DetrScoringModel.Open(_options, Warn);
        _labelNames = _unclaimedModel.LabelNames;
    }

    /// <summary>Checks the input has the image column and returns the scoring transformer.</summary>
    public DetrScoringTransformer Fit(IDataView input)
    {
        DetrOutputSchema.FindImageColumn(input.Schema, _options.ImageColumnName);
        var model = Interlocked.Exchange(ref _unclaimedModel, null) ?? DetrScoringModel.Open(_options, Warn);
        return new DetrScoringTransformer(_env, model);
    }

    /// <summary>The input shape plus PredictedLabel (vector of key), Score and PredictedBoundingBoxes (vectors of float).</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var image = inputSchema.LastOrDefault(c => c.Name == _options.ImageColumnName);
        if (image.Name is null)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Input column '{_options.ImageColumnName}' not found; load images first (LoadImages).");
        if (image.ItemType is not ImageDataViewType)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Input column '{_options.ImageColumnName}' has type {image.ItemType}; an image column is required.");
        return OutputShape(inputSchema, _options, _labelNames);
    }

    /// <summary>
    /// <paramref name="inputSchema"/> plus the prediction columns named in <paramref name="options"/> (a schema shape
    /// carries no key count, so the class names matter only for their number).
    /// </summary>
    public static SchemaShape OutputShape(SchemaShape inputSchema, DetrScoringOptions options, IReadOnlyList<string> labelNames)
    {
        var builder = new DataViewSchema.Builder();
        DetrOutputSchema.AddOutputColumns(builder, options, labelNames.Count > 0 ? labelNames : ["object"]);
        var added = MLNetInternals.ToSchemaShape(builder.ToSchema());
        var names = added.Select(c => c.Name).ToHashSet();
        return new SchemaShape(inputSchema.Where(c => !names.Contains(c.Name)).Concat(added));
    }

    void Warn(string message)
    {
        using var channel = _env.Start("DETR scoring");
        channel.Warning(MessageSensitivity.None, message);
    }
}
