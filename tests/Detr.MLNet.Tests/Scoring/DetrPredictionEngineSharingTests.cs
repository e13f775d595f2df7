using Detr.MLNet.Imaging;
using Detr.MLNet.Scoring;
using Microsoft.ML;
using static Detr.MLNet.Tests.Scoring.ScoringPipeline;

namespace Detr.MLNet.Tests.Scoring;

/// <summary>
/// Several prediction engines over one DETR model, as ML.NET recommends one per thread. ML.NET's PredictionEngine
/// disposes its transformer by default; an engine of a model so disposed must refuse to score, not crash the process
/// (ONNX Runtime's C# API runs a closed session on freed memory: the scoring-soak benchmark died with SIGSEGV).
/// </summary>
public class DetrPredictionEngineSharingTests
{
    readonly MLContext _ml = new(seed: 0);

    [Fact]
    public void AnEngineOfAModelThatAnotherEngineDisposedRefusesWithTheRemedy()
    {
        using var folder = new TempFolder();
        string image = Fixtures.WritePng(folder.Path, "a.png", 80, 60, seed: 1);
        var model = Pipeline(_ml, Options("detr_tiny_hf.onnx")).Fit(Rows(_ml, image));
        var first = _ml.Model.CreatePredictionEngine<ImageRow, Prediction>(model);
        var second = _ml.Model.CreatePredictionEngine<ImageRow, Prediction>(model);
        Assert.NotEmpty(first.Predict(new ImageRow { ImagePath = image }).Score);
        first.Dispose();
        var e = Assert.Throws<ObjectDisposedException>(() => second.Predict(new ImageRow { ImagePath = image }));
        Assert.Contains("OwnsTransformer = false", e.Message);
    }

    [Fact]
    public void AClosedSessionStaysRefusedAfterARefusedShare()
    {
        var model = DetrScoringModel.Open(Options("detr_tiny_hf.onnx"));
        var scorer = model.CreateScorer();
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.WithOptions(o => o.ScoreThreshold = 0.5f));
        // The refused share must not count as a holder: the run after it would then use the closed session.
        var e = Assert.Throws<ObjectDisposedException>(() => scorer.RunRawPerImage([new RgbImage(new byte[32 * 32 * 3], 32, 32)]));
        Assert.Contains("session is closed", e.Message);
    }

    [Fact]
    public void EnginesThatDoNotOwnTheModelShareItAcrossThreads()
    {
        using var folder = new TempFolder();
        string[] images = Enumerable.Range(0, 4).Select(i => Fixtures.WritePng(folder.Path, $"{i}.png", 80, 60, seed: i)).ToArray();
        var model = Pipeline(_ml, Options("detr_tiny_hf.onnx")).Fit(Rows(_ml, images));
        var options = new PredictionEngineOptions { OwnsTransformer = false };
        float[][] expected;
        using (var engine = _ml.Model.CreatePredictionEngine<ImageRow, Prediction>(model, options))
            expected = images.Select(i => engine.Predict(new ImageRow { ImagePath = i }).Score).ToArray();
        var results = new float[4][][];
        Parallel.For(0, 4, t =>
        {
            using var engine = _ml.Model.CreatePredictionEngine<ImageRow, Prediction>(model, options);
            results[t] = Enumerable.Range(0, 20).Select(k => engine.Predict(new ImageRow { ImagePath = images[(t + k) % 4] }).Score).ToArray();
        });
        for (int t = 0; t < 4; t++)
            for (int k = 0; k < 20; k++)
                Assert.Equal(expected[(t + k) % 4], results[t][k]);
        (model as IDisposable)?.Dispose();
    }
}
