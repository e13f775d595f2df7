using System.Globalization;
using System.Text.Json;
using Detr.MLNet.Imaging;
using Detr.MLNet.Labels;
using Detr.MLNet.Preprocessing;
using Microsoft.ML.OnnxRuntime;

namespace Detr.MLNet.Scoring;

/// <summary>
/// A loaded DETR ONNX model with everything scoring needs: one ONNX Runtime session (thread-safe, reused by every
/// cursor), its signature, class names and preprocessing settings. Immutable once built.
/// </summary>
public sealed class DetrScoringModel : IDisposable
{
    const int DefaultShortestEdge = 800;
    const int DefaultLongestEdge = 1333;

    readonly SharedInferenceSession _session;
    readonly IReadOnlyDictionary<string, string> _metadata;
    int _disposed;

    DetrScoringModel(byte[] modelBytes, DetrScoringOptions options, SharedInferenceSession session, DetrOnnxSignature signature,
        IReadOnlyList<string> labelNames, IReadOnlyDictionary<string, string> metadata, DetrExecutionDevice activeDevice)
    {
        ActiveDevice = activeDevice;
        ModelBytes = modelBytes;
        Options = options;
        _session = session;
        _metadata = metadata;
        Signature = signature;
        LabelNames = labelNames;
        ShortestEdge = options.ShortestEdge ?? EdgeFrom(metadata, DetrModelMetadataKeys.ShortestEdge, nameof(DetrScoringOptions.ShortestEdge)) ?? DefaultShortestEdge;
        LongestEdge = options.LongestEdge ?? EdgeFrom(metadata, DetrModelMetadataKeys.LongestEdge, nameof(DetrScoringOptions.LongestEdge)) ?? DefaultLongestEdge;
        var mean = ChannelsFrom(metadata, DetrModelMetadataKeys.ImageMean, positive: false);
        var std = ChannelsFrom(metadata, DetrModelMetadataKeys.ImageStd, positive: true);
        Normalization = mean is not null && std is not null ? new ImageNetNormalization(mean, std) : ImageNetNormalization.ImageNet;
    }

    /// <summary>The ONNX model bytes (saved inside ML.NET model zips).</summary>
    public byte[] ModelBytes { get; }

    /// <summary>The options the model was opened with.</summary>
    public DetrScoringOptions Options { get; }

    /// <summary>Inputs/outputs as detected or overridden.</summary>
    public DetrOnnxSignature Signature { get; }

    /// <summary>Class names, index = class id.</summary>
    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>Short-side resize target in effect.</summary>
    public int ShortestEdge { get; }

    /// <summary>Long-side resize cap in effect.</summary>
    public int LongestEdge { get; }

    /// <summary>Pixel normalisation in effect.</summary>
    public ImageNetNormalization Normalization { get; }

    /// <summary>
    /// The model's numeric precision from its <see cref="DetrModelMetadataKeys.Precision"/> metadata: "float32" (also
    /// when absent), "float16" or "int8". Scoring is the same at every precision.
    /// </summary>
    public string Precision => _metadata.TryGetValue(DetrModelMetadataKeys.Precision, out var value) ? value : "float32";

    /// <summary>How an INT8 model was quantized (its <see cref="DetrModelMetadataKeys.Quantization"/> JSON), or null.</summary>
    public string? Quantization => _metadata.TryGetValue(DetrModelMetadataKeys.Quantization, out var value) ? value : null;

    /// <summary>
    /// Where the session runs after any fallback: <see cref="DetrScoringOptions.Device"/>, or a device further down
    /// (TensorRT → CUDA → the CPU) when the one asked for could not start.
    /// </summary>
    public DetrExecutionDevice ActiveDevice { get; }


    /// <summary>Opens the model named by <paramref name="options"/> (path or bytes); fails with a clear message on any problem.</summary>
    public static DetrScoringModel Open(DetrScoringOptions options, Action<string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckScoringOptions(options);
        byte[] bytes = options.ModelBytes ?? ReadModelFile(options.ModelPath);
        string source = options.ModelPath ?? "the in-memory model";
        // ONNX Runtime resolves external-data paths itself (against the working directory for in-memory bytes).
        OnnxExternalData.CheckInside(bytes, options.ModelBytes is null ? Path.GetDirectoryName(Path.GetFullPath(options.ModelPath!))! : Environment.CurrentDirectory, source);

        var (session, active) = DetrSessionFactory.Create(bytes, options, source, warn);
        var shared = new SharedInferenceSession(session);
        try
        {
            var signature = DetrOnnxSignature.Detect(session, options);
            var metadata = session.ModelMetadata.CustomMetadataMap;
            int width = signature.LogitsWidth ?? ProbeLogitsWidth(shared, signature);
            var declared = LabelNameResolver.Declared(options.LabelNames, metadata, options.ModelPath);
            var postprocessing = DetrPostprocessingDetection.Resolve(options.Postprocessing, metadata, width, declared?.Names.Length);
            int classCount = DetrPostprocessingDetection.ClassCount(postprocessing, width);
            signature = signature with { LogitsWidth = width, ClassCount = classCount, Postprocessing = postprocessing };
            var labels = LabelNameResolver.Resolve(classCount, options.LabelNames, metadata, options.ModelPath);
            return new DetrScoringModel(bytes, options.Clone(), shared, signature, labels, metadata, active);
        }
        catch (InvalidDataException e)
        {
            session.Dispose();
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// This model with other scoring options (threshold, detection cap, resize, batch size, image limits, column names)
    /// over the same ONNX Runtime session, so no second session is opened. What is fixed when the session opens (the
    /// model, layout and input/output names, post-processing, labels, device, runtime threads) cannot change here.
    /// Either model may be disposed first; the session closes with the last.
    /// </summary>
    public DetrScoringModel WithOptions(Action<DetrScoringOptions> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var options = Options.Clone();
        change(options);
        if (FixedAtOpen.FirstOrDefault(f => !Equals(f.Value(options), f.Value(Options))).Name is string name)
            throw new ArgumentException($"{name} is fixed when the ONNX Runtime session opens; open another model (DetrScoringModel.Open) to change it.", nameof(change));
        CheckScoringOptions(options);
        return new DetrScoringModel(ModelBytes, options, _session.Share(), Signature, LabelNames, _metadata, ActiveDevice);
    }

    // Options the session, signature or labels were built from; reference equality for the bytes and the label list.
    static readonly (string Name, Func<DetrScoringOptions, object?> Value)[] FixedAtOpen =
    [
        (nameof(DetrScoringOptions.ModelPath), o => o.ModelPath),
        (nameof(DetrScoringOptions.ModelBytes), o => o.ModelBytes),
        (nameof(DetrScoringOptions.Layout), o => o.Layout),
        (nameof(DetrScoringOptions.ImageInputName), o => o.ImageInputName),
        (nameof(DetrScoringOptions.MaskInputName), o => o.MaskInputName),
        (nameof(DetrScoringOptions.LogitsOutputName), o => o.LogitsOutputName),
        (nameof(DetrScoringOptions.BoxesOutputName), o => o.BoxesOutputName),
        (nameof(DetrScoringOptions.Postprocessing), o => o.Postprocessing),
        (nameof(DetrScoringOptions.LabelNames), o => o.LabelNames),
        (nameof(DetrScoringOptions.IntraOpThreads), o => o.IntraOpThreads),
        (nameof(DetrScoringOptions.GraphOptimizationLevel), o => o.GraphOptimizationLevel),
        (nameof(DetrScoringOptions.Device), o => o.Device),
        (nameof(DetrScoringOptions.GpuDeviceId), o => o.GpuDeviceId),
        (nameof(DetrScoringOptions.CpuFallback), o => o.CpuFallback),
        (nameof(DetrScoringOptions.TensorRtEngineCacheFolder), o => o.TensorRtEngineCacheFolder),
    ];

    static void CheckScoringOptions(DetrScoringOptions options)
    {
        if (options.BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"BatchSize must be at least 1 (got {options.BatchSize}).");
        if (options.MaxDetections is < 0)
            throw new ArgumentOutOfRangeException(nameof(options), $"MaxDetections must not be negative (got {options.MaxDetections}).");
        if (options.MaxImagePixels is < 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"MaxImagePixels must be positive, or null for no limit (got {options.MaxImagePixels}).");
    }

    static byte[] ReadModelFile(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException("Set ModelPath (a DETR .onnx file) or ModelBytes.");
        if (!File.Exists(path))
            throw new FileNotFoundException($"DETR ONNX model not found: '{path}'. Check the path, or export one with `detr export`.", path);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot read the DETR ONNX model '{path}': {e.Message}", e);
        }
    }

    // Models exported with a dynamic class dimension only reveal it when run; one tiny run settles the schema.
    static int ProbeLogitsWidth(SharedInferenceSession session, DetrOnnxSignature signature)
    {
        using var scorer = new DetrBatchScorer(session, signature, 32, 32, ImageNetNormalization.ImageNet, staging: null);
        var probe = new RgbImage(new byte[32 * 32 * 3], 32, 32);
        return scorer.RunRaw([probe]).ClassesWithNoObject;
    }

    // The metadata is read when the model opens (inside Open's error handling, which names the file); a value that is
    // present but unusable is an error, not a silent fallback to the defaults.
    static int? EdgeFrom(IReadOnlyDictionary<string, string> metadata, string key, string option)
    {
        if (!metadata.TryGetValue(key, out var text))
            return null;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0
            ? v
            : throw new InvalidDataException($"The model's metadata {key} = '{Quoted(text)}' is not a positive whole number of pixels; " +
                $"set the {option} option to score it anyway.");
    }

    static float[]? ChannelsFrom(IReadOnlyDictionary<string, string> metadata, string key, bool positive)
    {
        if (!metadata.TryGetValue(key, out var text))
            return null;
        float[]? values;
        try
        {
            values = JsonSerializer.Deserialize<float[]>(text);
        }
        catch (JsonException)
        {
            values = null;
        }
        return values is { Length: 3 } && values.All(v => float.IsFinite(v) && (!positive || v > 0))
            ? values
            : throw new InvalidDataException($"The model's metadata {key} = '{Quoted(text)}' is not a JSON array of three " +
                (positive ? "positive numbers" : "numbers") + " (one per RGB channel, e.g. [0.485,0.456,0.406]).");
    }

    static string Quoted(string text) => text.Length <= 100 ? text : $"{text[..100]}… ({text.Length:N0} characters)";

    /// <summary>
    /// Creates a scorer with its own buffers; give each thread or cursor its own, and dispose it when done (on a GPU
    /// it holds page-locked staging memory, which is otherwise freed only when the session closes).
    /// </summary>
    public DetrBatchScorer CreateScorer() =>
        CreateScorer(ActiveDevice == DetrExecutionDevice.Cpu ? null : IoBindingStaging.PageLocked);

    /// <summary>A scorer whose batches go through an <c>OrtIoBinding</c> staged in <paramref name="staging"/> memory (null: plain runs).</summary>
    internal DetrBatchScorer CreateScorer(IoBindingStaging? staging) => new(_session, Signature, ShortestEdge, LongestEdge, Normalization, staging);

    /// <summary>Releases this model's hold on the ONNX Runtime session (closed when no model made by <see cref="WithOptions"/> holds it).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _session.Release();
    }
}
