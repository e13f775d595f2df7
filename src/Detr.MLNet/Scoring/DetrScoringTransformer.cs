using System.Reflection;
using Detr.MLNet.Persistence;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Detr.MLNet.Scoring;

/// <summary>
/// Scores DETR with ONNX Runtime inside an ML.NET pipeline: reads an image column and adds
/// <c>PredictedLabel</c>, <c>Score</c> and <c>PredictedBoundingBoxes</c>. Safe to use from several threads;
/// saved models keep the ONNX bytes inside the zip.
/// </summary>
public sealed class DetrScoringTransformer : ITransformer, ICanSaveModel, IDisposable
{
    internal const string LoaderSignature = "DetrScoringTransformer";
    const string ModelSignature = "DETRSCOR";
    // The settings travel as JSON whose later fields have defaults, so adding one needs no new version. Raise
    // FormatVersion when the stream's layout changes, and keep reading every layout from OldestReadableFormat on.
    const uint FormatVersion = 0x00010001;
    const uint OldestReadableFormat = 0x00010001;
    const string OnnxStreamName = "OnnxModel";

    readonly IHostEnvironment _env;

    /// <summary>A transformer over an opened model (the trainer uses this to hand back what it exported).</summary>
    public DetrScoringTransformer(IHostEnvironment env, DetrScoringModel model)
    {
        _env = env;
        Model = model;
        Register(env.ComponentCatalog);
    }

    /// <summary>The loaded model: session, signature, labels and preprocessing in effect.</summary>
    public DetrScoringModel Model { get; }

    /// <summary>Always true: rows can be scored one at a time (PredictionEngine).</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus the three prediction columns.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => new DetrScoringBinding(this, inputSchema).Output;

    /// <summary>Adds the predictions to <paramref name="input"/>, lazily, batching rows per ONNX Runtime call.</summary>
    public IDataView Transform(IDataView input) => new DetrScoredDataView(input, this);

    /// <summary>A row-at-a-time mapper (used by <c>PredictionEngine</c>).</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new DetrRowMapper(this, inputSchema);

    /// <summary>
    /// This transformer with other scoring options (for example <c>o =&gt; o.ScoreThreshold = 0</c> for mAP), over the same
    /// ONNX Runtime session; see <see cref="DetrScoringModel.WithOptions"/> for what may change.
    /// </summary>
    public DetrScoringTransformer WithOptions(Action<DetrScoringOptions> change) => new(_env, Model.WithOptions(change));

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose() => Model.Dispose();

    internal void Warn(string message)
    {
        using var channel = _env.Start("DETR scoring");
        channel.Warning(MessageSensitivity.None, message);
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        MLNetInternals.BeginSave(ctx, ModelSignature, FormatVersion, OldestReadableFormat, LoaderSignature, typeof(DetrScoringTransformer));
        var writer = MLNetInternals.Writer(ctx);
        writer.Write(FormatVersion);
        writer.Write(DetrScoringSettings.From(Model).ToJson());
        MLNetInternals.SaveBinaryStream(ctx, OnnxStreamName, w =>
        {
            w.Write(Model.ModelBytes.Length);
            w.Write(Model.ModelBytes);
        });
    }

    // Called by ML.NET's model loader (registered in Register); ctx is ML.NET's internal ModelLoadContext.
    static DetrScoringTransformer LoadFromModelContext(IHostEnvironment env, object ctx)
    {
        var reader = MLNetInternals.Reader(ctx);
        uint version = reader.ReadUInt32();
        if (version > FormatVersion)
            throw new InvalidDataException($"This DETR scoring model was saved in format {version:x8} by a newer Detr.MLNet; this one reads " +
                $"formats {OldestReadableFormat:x8} to {FormatVersion:x8}. Update Detr.MLNet to load it.");
        if (version < OldestReadableFormat)
            throw new InvalidDataException($"This DETR scoring model was saved in format {version:x8}; this Detr.MLNet reads " +
                $"formats {OldestReadableFormat:x8} to {FormatVersion:x8}. Save it again from its ONNX model.");
        var settings = DetrScoringSettings.FromJson(reader.ReadString());
        byte[]? bytes = null;
        if (!MLNetInternals.TryLoadBinaryStream(ctx, OnnxStreamName, r => bytes = r.ReadBytes(r.ReadInt32())) || bytes is null)
            throw new InvalidDataException("The model zip has no ONNX bytes for the DETR scoring transformer.");
        var transformer = new DetrScoringTransformer(env, DetrScoringModel.Open(settings.ToOptions(bytes)));
        return transformer;
    }

    /// <summary>Makes <c>mlContext.Model.Load</c> in this catalog's context able to rebuild DETR scoring transformers.</summary>
    internal static void Register(ComponentCatalog catalog)
    {
        var create = typeof(DetrScoringTransformer).GetMethod(nameof(LoadFromModelContext), BindingFlags.Static | BindingFlags.NonPublic)!;
        MLNetInternals.RegisterModelLoader(catalog, typeof(DetrScoringTransformer), LoaderSignature, create);
    }
}
