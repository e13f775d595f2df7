using Detr.MLNet;
using Detr.MLNet.Scoring;
using Detr.Training.Augmentation;
using Detr.Training.Export;
using Detr.Training.Modeling;
using Detr.Training.Weights;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Trainers;

/// <summary>
/// Trains DETR on an <c>IDataView</c> of images with Labels and Boxes and returns the ONNX scoring transformer of
/// Detr.MLNet, so a trained model scores exactly like any DETR ONNX model. The trained TorchSharp model and the run's
/// history stay available on the estimator after <see cref="Fit"/>.
/// </summary>
public sealed class DetrTrainer : IEstimator<DetrScoringTransformer>
{
    readonly IHostEnvironment _env;

    /// <summary>A trainer with <paramref name="options"/> in <paramref name="env"/> (an MLContext).</summary>
    public DetrTrainer(IHostEnvironment env, DetrTrainerOptions options)
    {
        _env = env ?? throw new ArgumentNullException(nameof(env));
        Options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>The options in effect.</summary>
    public DetrTrainerOptions Options { get; }

    /// <summary>The model trained by the last <see cref="Fit"/> (on the training device, eval mode).</summary>
    public DetectionTransformer? TrainedModel { get; private set; }

    /// <summary>Class names of the last <see cref="Fit"/>, index = class id.</summary>
    public IReadOnlyList<string>? ClassNames { get; private set; }

    /// <summary>The rows the last <see cref="Fit"/> left out with <see cref="DetrTrainerOptions.SkipUnreadableImages"/>, one line each.</summary>
    public IReadOnlyList<string> SkippedImages { get; private set; } = [];

    /// <summary>What the last <see cref="Fit"/> did.</summary>
    public DetrTrainingResult? LastRun { get; private set; }

    /// <summary>Trains, exports ONNX and returns the scoring transformer over it.</summary>
    public DetrScoringTransformer Fit(IDataView input)
    {
        if (Options.StartFromCheckpoint is not null && Options.StartFromBackbone is not null)
            throw new ArgumentException($"Set {nameof(DetrTrainerOptions.StartFromCheckpoint)} (whole-model weights) or " +
                $"{nameof(DetrTrainerOptions.StartFromBackbone)} (an ImageNet ResNet), not both: a checkpoint already holds its backbone.");
        var skipped = new List<string>();
        Action<string>? onUnreadable = Options.SkipUnreadableImages ? skipped.Add : null;
        var data = TrainingSampleReader.Read(input, Options.ImageColumnName, Options.LabelsColumnName, Options.BoxesColumnName, Options.MaxImagePixels, onUnreadable);
        var validation = Options.ValidationData is null ? null
            : TrainingSampleReader.Read(Options.ValidationData, Options.ImageColumnName, Options.LabelsColumnName, Options.BoxesColumnName, Options.MaxImagePixels, onUnreadable).Samples;
        SkippedImages = skipped;
        var device = ResolveDevice();
        manual_seed(Options.Seed);
        var model = (Options.Model ?? new DetrConfig()).WithNumClasses(data.ClassNames.Count).CreateModel();
        if (Options.StartFromCheckpoint is string start)
            DetrWeights.LoadInto(model, start, allowNewClassCount: true);
        else if (Options.StartFromBackbone is string backbone)
            DetrWeights.LoadBackbone(model, backbone);
        model.to(device);

        LastRun = new DetrTrainingLoop(model, data.Samples, validation, data.ClassNames, Options, device).Run();
        model.eval();
        TrainedModel = model;
        ClassNames = data.ClassNames;
        byte[] onnx = DetrOnnxExporter.ToBytes(model, new DetrOnnxExportOptions
        {
            LabelNames = data.ClassNames,
            ShortestEdge = Options.Augmentation.EvaluationSize,
            LongestEdge = Options.Augmentation.MaxSize,
        });
        if (Options.CheckpointDirectory is string directory)
            AtomicFile.Write(Path.Combine(directory, "model.onnx"), s => s.Write(onnx));
        var scoring = DetrScoringModel.Open(new DetrScoringOptions { ModelBytes = onnx, ImageColumnName = Options.ImageColumnName });
        return new DetrScoringTransformer(_env, scoring);
    }

    /// <summary>The input shape plus the prediction columns.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        foreach (var name in new[] { Options.ImageColumnName, Options.LabelsColumnName, Options.BoxesColumnName })
            if (!inputSchema.Any(c => c.Name == name))
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Training column '{name}' not found.");
        return DetrScoringEstimator.OutputShape(inputSchema, new DetrScoringOptions { ImageColumnName = Options.ImageColumnName }, []);
    }

    Device ResolveDevice()
    {
        var device = torch.device(Options.Device);
        if (device.type == DeviceType.CUDA && !cuda.is_available())
        {
            using var channel = _env.Start("DETR training");
            channel.Warning(MessageSensitivity.None, $"Device '{Options.Device}' asked for, but no CUDA build of libtorch is available; training on the CPU.");
            return CPU;
        }
        return device;
    }
}
