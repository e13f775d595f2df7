using Detr.MLNet;
using Detr.MLNet.Data.Synthetic;
using Detr.MLNet.Evaluation;
using Detr.MLNet.Scoring;
using Detr.Training.Export;
using Detr.Training.Export.Onnx;
using Detr.Training.Export.Quantization;
using Detr.Training.Modeling;
using Detr.Training.Tests.Trainers;
using Detr.Training.Trainers;
using Microsoft.ML;

namespace Detr.Training.Tests.Export.Quantization;

/// <summary>
/// A tiny DETR trained once for the precision tests (about 20 s): 8 drawn 64-pixel images of 1–2 shapes, 60 epochs, so
/// it finds most training boxes; its float32 export, and helpers to export, score and evaluate others of it.
/// </summary>
public sealed class TrainedTinyDetr : IDisposable
{
    readonly TempFolder _folder = new();

    public TrainedTinyDetr()
    {
        (Ml, Data, Summary) = TinyTraining.Dataset(_folder.Path, images: 8, seed: 4);
        var trainer = Ml.Detection().Trainers.Detr(new DetrTrainerOptions
        {
            Model = TinyTraining.Model, Epochs = 60, BatchSize = 2, LearningRate = 1e-3, BackboneLearningRate = 1e-3,
            LearningRateDropEpochs = 45, GradientClipNorm = 1.0, Augmentation = TinyTraining.Fixed(64), Seed = 3,
        });
        using (trainer.Fit(Data))
            Model = trainer.TrainedModel!;
        Labels = trainer.ClassNames!;
        CalibrationImages = CalibrationImageSet.FromCoco(Summary.TrainAnnotations, _folder.Path);
        Float32 = Export(new DetrOnnxExportOptions());
        Float32Metrics = Evaluate(Float32);
    }

    public MLContext Ml { get; }

    /// <summary>The training images with their boxes (and an Image column).</summary>
    public IDataView Data { get; }

    public SyntheticShapesSummary Summary { get; }

    public DetectionTransformer Model { get; }

    public IReadOnlyList<string> Labels { get; }

    public IReadOnlyList<string> CalibrationImages { get; }

    public byte[] Float32 { get; }

    public CocoMetrics Float32Metrics { get; }

    /// <summary>The model exported at 64 px with its labels and <paramref name="options"/>' precision settings.</summary>
    public byte[] Export(DetrOnnxExportOptions options) =>
        DetrOnnxExporter.ToBytes(Model, options with { LabelNames = Labels, ShortestEdge = 64, LongestEdge = 128 });

    /// <summary>An INT8 export calibrated on the training images.</summary>
    public byte[] Int8(DetrModelParts parts = DetrModelParts.Backbone | DetrModelParts.InputProjection,
        DetrCalibrationMethod method = DetrCalibrationMethod.Percentile, DetrQuantizedActivations activations = DetrQuantizedActivations.UInt8) =>
        Export(new DetrOnnxExportOptions
        {
            Precision = DetrOnnxPrecision.Int8,
            Quantization = new DetrQuantizationOptions { CalibrationImages = CalibrationImages, Parts = parts, Method = method, Activations = activations },
        });

    /// <summary>COCO metrics of <paramref name="onnx"/> scored through <c>ApplyDetr</c> on the training images (every query kept).</summary>
    public CocoMetrics Evaluate(byte[] onnx)
    {
        using var scorer = Ml.Transforms.ApplyDetr(new DetrScoringOptions { ModelBytes = onnx, ScoreThreshold = 0 }).Fit(Data);
        return Ml.Detection().Evaluate(scorer.Transform(Data));
    }

    /// <summary>The raw outputs of <paramref name="onnx"/> on the training images, preprocessed as scoring does.</summary>
    public DetrBatchScorer.RawOutputs[] RawOutputs(byte[] onnx)
    {
        using var model = DetrScoringModel.Open(new DetrScoringOptions { ModelBytes = onnx });
        var images = CalibrationImages.Select(p => SyntheticShapesDataset.ReadImage(p)).ToList();
        return model.CreateScorer().RunRawPerImage(images);
    }

    /// <summary>The ONNX graph of <paramref name="onnx"/>.</summary>
    internal static ModelProto Graph(byte[] onnx) => ModelProto.Parser.ParseFrom(onnx);

    public void Dispose()
    {
        Model.Dispose();
        _folder.Dispose();
    }
}

/// <summary>The test classes that share one <see cref="TrainedTinyDetr"/>.</summary>
[CollectionDefinition(Name)]
public sealed class TrainedTinyDetrCollection : ICollectionFixture<TrainedTinyDetr>
{
    public const string Name = "trained tiny DETR";
}
