using Detr.MLNet.Scoring;
using Microsoft.ML;

namespace Detr.MLNet.Tests.Scoring;

/// <summary><see cref="DetrScoringTransformer.WithOptions"/>: other scoring settings over the same ONNX Runtime session.</summary>
public class DetrScoringWithOptionsTests
{
    [Fact]
    public void AnotherThresholdScoresAsAFreshlyOpenedModelWouldAndOutlivesTheOriginal()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 0);
        var data = ScoringPipeline.Rows(ml, Fixtures.WritePng(folder.Path, "a.png", 120, 80, 1), Fixtures.WritePng(folder.Path, "b.png", 64, 96, 2));
        var images = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath").Fit(data).Transform(data);
        var strict = ml.Transforms.ApplyDetr(ScoringPipeline.Options("detr_tiny_hf.onnx", threshold: 0.5f)).Fit(images);
        var options = ScoringPipeline.Options("detr_tiny_hf.onnx");
        options.MaxDetections = 3;
        using var fresh = ml.Transforms.ApplyDetr(options).Fit(images);

        var everyQuery = strict.WithOptions(o => { o.ScoreThreshold = 0; o.MaxDetections = 3; });
        strict.Dispose(); // the session stays open for the model made from it
        ScoringPipeline.AssertSame(ScoringPipeline.Predictions(ml, fresh.Transform(images)), ScoringPipeline.Predictions(ml, everyQuery.Transform(images)), tolerance: 0f);
        Assert.Equal(0.5f, strict.Model.Options.ScoreThreshold);
        everyQuery.Dispose();
        Assert.Throws<ObjectDisposedException>(() => everyQuery.WithOptions(o => o.ScoreThreshold = 0.1f));
    }

    [Fact]
    public void WhatTheSessionWasOpenedWithIsRefusedByName()
    {
        using var model = DetrScoringModel.Open(ScoringPipeline.Options("detr_tiny_hf.onnx"));
        var error = Assert.Throws<ArgumentException>(() => model.WithOptions(o => o.IntraOpThreads = 1));
        Assert.Contains("IntraOpThreads is fixed when the ONNX Runtime session opens", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.WithOptions(o => o.BatchSize = 0));
    }
}
