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
    DetrScoringModel? _unclaimedModel;

    /// <summary>Opens the model now, so a wrong path or a non-DETR model fails here rather than mid-pipeline.</summary>
    public DetrScoringEstimator(IHostEnvironment env, DetrScoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _env = env;
        _options = options.Clone();
        _unclaimedModel = DetrScoringModel.Open(_options, Warn);
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
        var labels = (_unclaimedModel ?? throw new InvalidOperationException("Call GetOutputSchema before Fit.")).LabelNames;
        var builder = new DataViewSchema.Builder();
        DetrOutputSchema.AddOutputColumns(builder, _options, labels);
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
