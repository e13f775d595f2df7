using Detr.MLNet.Scoring;
using Detr.Tests.Shared;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Detr.MLNet.Tests.Scoring;

public class DetrScoringTransformerTests
{
    [Fact]
    public void ScoresImagesInAPipelineWithKeyValueLabels()
    {
        // The fixture's own images at its resize (short side 64, long side 100, as ScoringPipeline.Options sets).
        var (expected, _, _) = ReferenceDetections.Load(Fixtures.Scoring("e2e_hf_expected.json"));
        var ml = new MLContext(seed: 0);
        var data = ScoringPipeline.Rows(ml, expected.Select(e => Fixtures.Scoring(e.File)).ToArray());
        var model = ScoringPipeline.Pipeline(ml, ScoringPipeline.Options("detr_tiny_hf.onnx")).Fit(data);
        var scored = model.Transform(data);

        var labelColumn = scored.Schema["PredictedLabel"];
        var keyType = Assert.IsType<KeyDataViewType>(Assert.IsType<VectorDataViewType>(labelColumn.Type).ItemType);
        Assert.Equal(4ul, keyType.Count);
        VBuffer<ReadOnlyMemory<char>> names = default;
        labelColumn.GetKeyValues(ref names);
        Assert.Equal(["circle", "square", "triangle", "star"], names.DenseValues().Select(n => n.ToString()));

        var predictions = ScoringPipeline.Predictions(ml, scored);
        Assert.Equal(expected.Length, predictions.Length);
        for (int r = 0; r < predictions.Length; r++)
        {
            var p = predictions[r];
            Assert.Equal(10, p.Score.Length); // threshold 0 keeps every query
            Assert.Equal(p.Score.OrderByDescending(s => s), p.Score);
            // Boxes in the original image's pixels, as the reference scales them by each image's size.
            expected[r].AssertMatches(p.PredictedLabel, p.Score, p.PredictedBoundingBoxes);
        }
    }

    [Fact]
    public void BatchSizeDoesNotChangeResultsForStrideMultipleSizes()
    {
        // Sizes resize (short 64, long 100) to multiples of the fixture's stride 16, where padding cannot leak in.
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 0);
        (int W, int H)[] sizes = [(120, 80), (80, 120), (100, 100), (60, 90), (90, 60)];
        var paths = sizes.Select((s, i) => Fixtures.WritePng(folder.Path, $"{i}.png", s.W, s.H, i)).ToArray();
        var data = ScoringPipeline.Rows(ml, paths);
        var one = ScoringPipeline.Predictions(ml, ScoringPipeline.Pipeline(ml, ScoringPipeline.Options("detr_tiny_hf.onnx", batchSize: 1)).Fit(data).Transform(data));
        var three = ScoringPipeline.Predictions(ml, ScoringPipeline.Pipeline(ml, ScoringPipeline.Options("detr_tiny_hf.onnx", batchSize: 3)).Fit(data).Transform(data));
        ScoringPipeline.AssertSame(one, three);
    }

    [Theory]
    [InlineData("detr_tiny_reference.onnx")]
    [InlineData("detr_tiny_nomask.onnx")]
    [InlineData("detr_tiny_fixed.onnx")]
    public void OtherLayoutsScoreEveryRow(string modelFile)
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 0);
        var data = ScoringPipeline.Rows(ml, Enumerable.Range(0, 3).Select(i => Fixtures.WritePng(folder.Path, $"{i}.png", 50 + 20 * i, 70, i)).ToArray());
        var options = ScoringPipeline.Options(modelFile, batchSize: 3);
        options.LabelNames = ["circle", "square", "triangle", "star"];
        var predictions = ScoringPipeline.Predictions(ml, ScoringPipeline.Pipeline(ml, options).Fit(data).Transform(data));
        Assert.All(predictions, p => Assert.Equal(10, p.Score.Length));
        // A maskless model batched with grouping gives what it gives alone.
        options.BatchSize = 1;
        ScoringPipeline.AssertSame(predictions, ScoringPipeline.Predictions(ml, ScoringPipeline.Pipeline(ml, options).Fit(data).Transform(data)));
    }

    [Fact]
    public void ThresholdAndMaxDetectionsFilter()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 0);
        var data = ScoringPipeline.Rows(ml, Fixtures.WritePng(folder.Path, "a.png", 120, 80, 1));
        var options = ScoringPipeline.Options("detr_tiny_hf.onnx", threshold: 0.5f);
        var high = ScoringPipeline.Predictions(ml, ScoringPipeline.Pipeline(ml, options).Fit(data).Transform(data))[0];
        Assert.All(high.Score, s => Assert.True(s > 0.5f));
        options.ScoreThreshold = 0;
        options.MaxDetections = 3;
        var capped = ScoringPipeline.Predictions(ml, ScoringPipeline.Pipeline(ml, options).Fit(data).Transform(data))[0];
        Assert.Equal(3, capped.Score.Length);
        Assert.Equal(12, capped.PredictedBoundingBoxes.Length);
    }

    [Fact]
    public void SaveAndLoadRoundTripsWithTheOnnxBytesInsideTheZip()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 0);
        var data = ScoringPipeline.Rows(ml, Fixtures.WritePng(folder.Path, "a.png", 120, 80, 1), Fixtures.WritePng(folder.Path, "b.png", 70, 90, 2));
        var model = ScoringPipeline.Pipeline(ml, ScoringPipeline.Options("detr_tiny_hf.onnx")).Fit(data);
        var before = ScoringPipeline.Predictions(ml, model.Transform(data));

        // Copy the model elsewhere and delete it: the zip must not need the original file.
        string onnxCopy = Path.Combine(folder.Path, "copy.onnx");
        File.Copy(Fixtures.Scoring("detr_tiny_hf.onnx"), onnxCopy);
        string zip = Path.Combine(folder.Path, "model.zip");
        ml.Model.Save(model, data.Schema, zip);
        File.Delete(onnxCopy);
        using (var archive = System.IO.Compression.ZipFile.OpenRead(zip))
            Assert.Contains(archive.Entries, e => e.Name == "OnnxModel" && e.Length > 150_000);

        var fresh = new MLContext(seed: 1);
        fresh.ComponentCatalog.RegisterDetr();
        var loaded = fresh.Model.Load(zip, out var schema);
        Assert.NotNull(schema.GetColumnOrNull("ImagePath"));
        var after = ScoringPipeline.Predictions(fresh, loaded.Transform(ScoringPipeline.Rows(fresh,
            Path.Combine(folder.Path, "a.png"), Path.Combine(folder.Path, "b.png"))));
        ScoringPipeline.AssertSame(before, after, tolerance: 0f);
    }

    [Fact]
    public void PredictionEngineScoresOneImageAtATime()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 0);
        string a = Fixtures.WritePng(folder.Path, "a.png", 120, 80, 1), b = Fixtures.WritePng(folder.Path, "b.png", 60, 90, 2);
        var data = ScoringPipeline.Rows(ml, a, b);
        var model = ScoringPipeline.Pipeline(ml, ScoringPipeline.Options("detr_tiny_hf.onnx")).Fit(data);
        var batch = ScoringPipeline.Predictions(ml, model.Transform(data));

        var engine = ml.Model.CreatePredictionEngine<ScoringPipeline.ImageRow, ScoringPipeline.Prediction>(model);
        var single = new[] { engine.Predict(new() { ImagePath = a }), engine.Predict(new() { ImagePath = b }) };
        ScoringPipeline.AssertSame(batch, single);
    }

    [Fact]
    public void OneTransformerServesSeveralThreads()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 0);
        var paths = Enumerable.Range(0, 4).Select(i => Fixtures.WritePng(folder.Path, $"{i}.png", 60 + 10 * i, 80, i)).ToArray();
        var data = ScoringPipeline.Rows(ml, paths);
        var model = ScoringPipeline.Pipeline(ml, ScoringPipeline.Options("detr_tiny_hf.onnx", batchSize: 2)).Fit(data);
        var expected = ScoringPipeline.Predictions(ml, model.Transform(data));
        var results = new ScoringPipeline.Prediction[8][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            i => results[i] = ScoringPipeline.Predictions(ml, model.Transform(data)));
        Assert.All(results, r => ScoringPipeline.AssertSame(expected, r, tolerance: 0f));
    }
}
